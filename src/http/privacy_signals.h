// PrivacySignals (SEC-5): the HTTP side of Global Privacy Control
// (`Sec-GPC: 1`) and Do-Not-Track (`DNT: 1`). A data-plane request that
// names an end user and carries either header is honoured as that end
// user's opt-out of sale, sharing and analytics; the consent ledger records
// it, with the request's id as evidence, once per signal
// (ConsentLedger::HonourSignal). This is only the hook: the router calls it
// for every data-plane request, once admitted (the end user named by query
// or header) and again once the handler named one from the body.
#pragma once

#include <string>

#include "common/status.h"
#include "domain/accounts.h"
#include "domain/consent_ledger.h"
#include "http/exchange.h"

namespace lethe {

// "gpc", "dnt", or "" when `req` carries neither signal set to 1. GPC wins
// when both are set: it is the one with legal force (CCPA).
std::string PrivacySignalOf(const HttpRequest& req);

class PrivacySignals {
 public:
  explicit PrivacySignals(ConsentLedger& consents) : consents_(consents) {}

  // Honours the signal of `req` for req.end_user of `who`'s account. OK
  // (and nothing recorded) without a signal or an end user; the ledger's
  // error otherwise.
  Status Honour(const HttpRequest& req, const Principal& who);

 private:
  ConsentLedger& consents_;
};

}  // namespace lethe
