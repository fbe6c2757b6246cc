// Standard Webhooks signatures (https://www.standardwebhooks.com): the
// receiver of a delivery checks
//   webhook-signature: v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>
// with the secret it was shown once as "whsec_<base64 of the key bytes>".
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lethe {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

// "whsec_" + base64 of `key`.
std::string WebhookSecretText(std::span<const uint8_t> key);

// The webhook-signature header value for a message.
std::string WebhookSignature(std::span<const uint8_t> key, std::string_view id,
                             std::string_view timestamp, std::string_view body);

// True when `header` (space-separated "v1,<sig>" items) holds a valid
// signature of the message under `secret_text` ("whsec_..."); compared in
// constant time. For receivers and tests.
bool VerifyWebhookSignature(std::string_view secret_text, std::string_view id,
                            std::string_view timestamp, std::string_view body,
                            std::string_view header);

}  // namespace lethe
