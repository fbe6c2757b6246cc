// Turning query results into records: shared by the SQL adapters.
#pragma once

#include <string>
#include <vector>

#include "adapters/sql/sql_connection.h"

namespace lethe {

// The first row of `rows` as a T, NotFound("<what> not found") if none.
template <typename T, typename F>
Result<T> FirstRow(Result<std::vector<SqlRow>> rows, F from_row, const char* what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(std::string(what) + " not found");
  return from_row((*rows)[0]);
}

// Every row of `rows` as a T.
template <typename T, typename F>
Result<std::vector<T>> AllRows(Result<std::vector<SqlRow>> rows, F from_row) {
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const SqlRow& r : *rows) out.push_back(from_row(r));
  return out;
}

}  // namespace lethe
