// SqlMetadataTx, continued: derived artifacts of media (posters,
// transcripts, web renditions) and the account's media processing settings.
#include "adapters/sql/sql_metadata_tx.h"
#include "adapters/sql/sql_rows.h"

namespace lethe {
namespace {

constexpr const char* kArtifactColumns =
    "media_id, kind, account_id, state, attempts, run_after_ms, lease_until_ms, bytes, detail, "
    "created_ms, updated_ms, progress_milli, lease_owner";

MediaArtifactRecord ArtifactFromRow(const SqlRow& r) {
  MediaArtifactRecord a;
  a.media_id = SqlText(r[0]);
  a.kind = SqlText(r[1]);
  a.account_id = SqlText(r[2]);
  a.state = SqlText(r[3]);
  a.attempts = static_cast<int>(SqlInt(r[4]));
  a.run_after_ms = SqlInt(r[5]);
  a.lease_until_ms = SqlOptInt(r[6]);
  a.bytes = SqlInt(r[7]);
  a.detail = SqlText(r[8]);
  a.created_ms = SqlInt(r[9]);
  a.updated_ms = SqlInt(r[10]);
  a.progress_milli = static_cast<int>(SqlInt(r[11]));
  a.lease_owner = SqlText(r[12]);
  return a;
}

}  // namespace

Status SqlMetadataTx::LockArtifacts() {
  // The writers of artifacts take turns (issue 13). An upload's commit
  // queues its poster here, and a poster worker's claim and completion
  // write the same small tables (media_artifacts, blob_intents) and read
  // the media an upload adds: on PostgreSQL, whose SERIALIZABLE tracks
  // reads per index page, each such pair read what the other wrote, and
  // the upload was cancelled as a pivot (measured: 12 to 146 serialization
  // failures per 480 uploads; the bench saw one fail 20 times). Writers
  // that queue on a lock are never concurrent, so never in such a cycle.
  return conn_.LockTableForWrite("media_artifacts");
}

Status SqlMetadataTx::UpsertMediaArtifact(const MediaArtifactRecord& a) {
  LETHE_RETURN_IF_ERROR(LockArtifacts());
  // One statement, not DELETE then INSERT: no read of the key's index page.
  return StatusOf(Query(
      std::string("INSERT INTO media_artifacts (") + kArtifactColumns +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
          " ON CONFLICT (media_id, kind) DO UPDATE SET account_id = excluded.account_id,"
          " state = excluded.state, attempts = excluded.attempts,"
          " run_after_ms = excluded.run_after_ms, lease_until_ms = excluded.lease_until_ms,"
          " bytes = excluded.bytes, detail = excluded.detail, created_ms = excluded.created_ms,"
          " updated_ms = excluded.updated_ms, progress_milli = excluded.progress_milli,"
          " lease_owner = excluded.lease_owner",
      {a.media_id, a.kind, a.account_id, a.state, int64_t{a.attempts}, a.run_after_ms,
       SqlNullable(a.lease_until_ms), a.bytes, a.detail, a.created_ms, a.updated_ms,
       int64_t{a.progress_milli}, a.lease_until_ms ? a.lease_owner : std::string()}));
}

Result<std::vector<MediaArtifactRecord>> SqlMetadataTx::ClaimMediaArtifacts(
    int64_t now_ms, int64_t lease_until_ms, int limit, const std::string& owner) {
  LETHE_RETURN_IF_ERROR(LockArtifacts());
  LETHE_ASSIGN_OR_RETURN(
      std::vector<MediaArtifactRecord> due,
      AllRows<MediaArtifactRecord>(
          Query(std::string("SELECT ") + kArtifactColumns +
                    " FROM media_artifacts WHERE state = 'pending' AND run_after_ms <= $1"
                    " AND (lease_until_ms IS NULL OR lease_until_ms <= $1)"
                    " ORDER BY run_after_ms, media_id, kind LIMIT $2",
                {now_ms, int64_t{limit}}),
          ArtifactFromRow));
  for (MediaArtifactRecord& a : due) {
    LETHE_RETURN_IF_ERROR(
        ExecOne("UPDATE media_artifacts SET lease_until_ms = $3, lease_owner = $4, "
                "attempts = attempts + 1 WHERE media_id = $1 AND kind = $2",
                {a.media_id, a.kind, lease_until_ms, owner}));
    a.lease_until_ms = lease_until_ms;
    a.lease_owner = owner;
    ++a.attempts;
  }
  return due;
}

Result<int64_t> SqlMetadataTx::ReleaseArtifactLeases(const std::string& owner) {
  LETHE_RETURN_IF_ERROR(LockArtifacts());
  LETHE_RETURN_IF_ERROR(
      Query("UPDATE media_artifacts SET lease_until_ms = NULL, lease_owner = '' "
            "WHERE state = 'pending' AND lease_until_ms IS NOT NULL "
            "AND ($1 = '' OR lease_owner = $1)",
            {owner}));
  return conn_.ChangedRows();
}

Result<std::vector<MediaArtifactRecord>> SqlMetadataTx::ListMediaArtifacts(
    const std::string& media_id) {
  return AllRows<MediaArtifactRecord>(
      Query(std::string("SELECT ") + kArtifactColumns +
                " FROM media_artifacts WHERE media_id = $1 ORDER BY kind",
            {media_id}),
      ArtifactFromRow);
}

Status SqlMetadataTx::SetMediaProcessingSettings(const std::string& account_id,
                                                 const MediaProcessingSettings& settings) {
  LETHE_RETURN_IF_ERROR(
      StatusOf(Query("DELETE FROM media_processing_settings WHERE account_id = $1", {account_id})));
  return StatusOf(
      Query("INSERT INTO media_processing_settings (account_id, transcription, web_rendition) "
            "VALUES ($1, $2, $3)",
            {account_id, int64_t{settings.transcription ? 1 : 0},
             int64_t{settings.web_rendition ? 1 : 0}}));
}

Result<MediaProcessingSettings> SqlMetadataTx::FindMediaProcessingSettings(
    const std::string& account_id) {
  LETHE_ASSIGN_OR_RETURN(std::vector<SqlRow> rows,
                         Query("SELECT transcription, web_rendition FROM "
                               "media_processing_settings WHERE account_id = $1",
                               {account_id}));
  MediaProcessingSettings s;
  if (!rows.empty()) {
    s.transcription = SqlInt(rows[0][0]) != 0;
    s.web_rendition = SqlInt(rows[0][1]) != 0;
  }
  return s;
}

}  // namespace lethe
