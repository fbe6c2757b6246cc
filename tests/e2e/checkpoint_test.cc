// SEC-1: the audit chain's head is published as a signed C2SP checkpoint.
// A customer keeps one, comes back later, fetches the new one and a
// consistency proof, and `lethe checkpoint verify` shows the log only grew;
// an edited checkpoint, a tampered proof, or a proof from a forked copy of
// the log (same key, different history) is rejected.
#include <gtest/gtest.h>

#include <fstream>

#include "harness.h"
#include "media_support.h"

namespace lethe::e2e {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

struct Saved {
  std::string note_file;
  uint64_t size = 0;
};

// Fetches the checkpoint into `dir/name` and returns its size line.
Saved SaveCheckpoint(HttpClient& client, const std::string& dir, const std::string& name) {
  Response r = client.Get("/.well-known/lethe/checkpoint");
  EXPECT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Header("content-type").rfind("text/plain", 0), 0u) << r.Header("content-type");
  Saved s{dir + "/" + name, 0};
  WriteFile(s.note_file, r.body);
  size_t first = r.body.find('\n');
  s.size = std::stoull(r.body.substr(first + 1, r.body.find('\n', first + 1) - first - 1));
  return s;
}

std::string SaveProof(HttpClient& client, const std::string& dir, const std::string& name,
                      uint64_t from, uint64_t to) {
  Response r = client.Get("/.well-known/lethe/checkpoint/consistency?from=" + std::to_string(from) +
                          "&to=" + std::to_string(to));
  EXPECT_EQ(r.status, 200) << r.Describe();
  std::string path = dir + "/" + name;
  WriteFile(path, r.body);
  return path;
}

CommandResult Verify(const std::string& old_file, const std::string& new_file,
                     const std::string& key, const std::string& proof = "") {
  std::vector<std::string> argv = {LETHE_BINARY, "checkpoint", "verify", old_file,
                                   new_file,     "--key",      key};
  if (!proof.empty()) {
    argv.push_back("--proof");
    argv.push_back(proof);
  }
  return RunCommand(argv);
}

std::string PublicKey(HttpClient& client) {
  return Str(client.Get("/.well-known/lethe/signing-key").Json(), "public_key");
}

TEST(CheckpointTest, ANewCheckpointProvablyExtendsAnOldOne_SEC1) {
  ServerProcess server;
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  const std::string dir = server.root_dir();
  std::string key = PublicKey(client);
  Tenant t = NewTenant(client, "checkpoint");
  Saved old_cp = SaveCheckpoint(client, dir, "old.txt");
  ASSERT_GT(old_cp.size, 0u);
  std::string note = ReadFileBytes(old_cp.note_file);
  EXPECT_EQ(note.rfind("localhost/lethe/audit\n" + std::to_string(old_cp.size) + "\n", 0), 0u)
      << note;
  EXPECT_NE(note.find("\n\n\xE2\x80\x94 localhost/lethe/audit "), std::string::npos) << note;

  // More happens: keys, an erasure.
  CreateKey(client, t.session, t.account.id);
  ASSERT_EQ(client.Delete("/v1/end-users/someone", BearerAuth(t.token())).status, 202);
  Saved new_cp = SaveCheckpoint(client, dir, "new.txt");
  ASSERT_GT(new_cp.size, old_cp.size);
  std::string proof = SaveProof(client, dir, "proof.json", old_cp.size, new_cp.size);
  CommandResult ok = Verify(old_cp.note_file, new_cp.note_file, key, proof);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("checkpoint ok"), std::string::npos) << ok.output;
  // The same checkpoint twice needs no proof.
  EXPECT_EQ(Verify(new_cp.note_file, new_cp.note_file, key).exit_code, 0);

  // An edited checkpoint: its signature fails.
  std::string edited = ReadFileBytes(new_cp.note_file);
  edited.replace(edited.find('\n') + 1, std::to_string(new_cp.size).size(),
                 std::to_string(new_cp.size + 1));
  WriteFile(dir + "/edited.txt", edited);
  CommandResult bad = Verify(old_cp.note_file, dir + "/edited.txt", key, proof);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  // Another key: rejected.
  EXPECT_EQ(
      Verify(old_cp.note_file, new_cp.note_file, Base64(std::string(32, 'k')), proof).exit_code, 1);
  // A tampered proof, a proof for other sizes, the checkpoints swapped.
  boost::json::value p = boost::json::parse(ReadFileBytes(proof));
  boost::json::array& hashes = p.as_object()["proof"].as_array();
  ASSERT_FALSE(hashes.empty());
  hashes[0] = Base64(std::string(32, 'x'));
  WriteFile(dir + "/tampered.json", boost::json::serialize(p));
  EXPECT_EQ(Verify(old_cp.note_file, new_cp.note_file, key, dir + "/tampered.json").exit_code, 1);
  std::string other = SaveProof(client, dir, "other.json", old_cp.size - 1, new_cp.size);
  EXPECT_EQ(Verify(old_cp.note_file, new_cp.note_file, key, other).exit_code, 1);
  EXPECT_EQ(Verify(new_cp.note_file, old_cp.note_file, key, proof).exit_code, 1);
  // Usage errors: no proof where one is needed, no key, a bad key.
  EXPECT_EQ(Verify(old_cp.note_file, new_cp.note_file, key).exit_code, 2);
  EXPECT_EQ(RunCommand({LETHE_BINARY, "checkpoint", "verify", old_cp.note_file}).exit_code, 2);
  EXPECT_EQ(Verify(old_cp.note_file, new_cp.note_file, "zz", proof).exit_code, 2);
}

TEST(CheckpointTest, AProofFromAForkedLogIsRejected_SEC1) {
  ServerProcess a;
  ASSERT_TRUE(a.ok());
  HttpClient client_a(a.base_url());
  std::string key = PublicKey(client_a);
  NewTenant(client_a, "fork-base");
  Saved common = SaveCheckpoint(client_a, a.root_dir(), "common.txt");
  // B: a copy of A's data directory (same signing key, same history so far).
  ServerProcess b;
  ASSERT_TRUE(b.ok());
  b.Stop();
  a.Stop();
  CommandResult copy = RunCommand(
      {"/bin/sh", "-c",
       "rm -rf '" + b.data_dir() + "' && cp -a '" + a.data_dir() + "' '" + b.data_dir() + "'"});
  ASSERT_EQ(copy.exit_code, 0) << copy.output;
  ASSERT_TRUE(a.Restart());
  ASSERT_TRUE(b.Restart());
  client_a.set_base_url(a.base_url());
  HttpClient client_b(b.base_url());
  ASSERT_EQ(PublicKey(client_b), key);
  // The two copies go different ways.
  NewTenant(client_a, "fork-a");
  NewTenant(client_b, "fork-b");
  NewTenant(client_b, "fork-b2");
  Saved on_a = SaveCheckpoint(client_a, a.root_dir(), "a.txt");
  Saved on_b = SaveCheckpoint(client_b, a.root_dir(), "b.txt");
  ASSERT_GT(on_a.size, common.size);
  ASSERT_GT(on_b.size, on_a.size);
  // Both are signed by the same key, but B's log does not extend A's.
  std::string fork_proof = SaveProof(client_b, a.root_dir(), "fork.json", on_a.size, on_b.size);
  CommandResult forked = Verify(on_a.note_file, on_b.note_file, key, fork_proof);
  EXPECT_EQ(forked.exit_code, 1) << forked.output;
  EXPECT_NE(forked.output.find("forked"), std::string::npos) << forked.output;
  // The shared prefix is consistent with both.
  std::string from_common =
      SaveProof(client_b, a.root_dir(), "common.json", common.size, on_b.size);
  CommandResult shared = Verify(common.note_file, on_b.note_file, key, from_common);
  EXPECT_EQ(shared.exit_code, 0) << shared.output;
}

TEST(CheckpointTest, BadSizesAreProblems) {
  ServerProcess server({"--checkpoint-origin", "media.example.com/lethe/audit"});
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  NewTenant(client, "checkpoint-sizes");
  Response cp = client.Get("/.well-known/lethe/checkpoint");
  ASSERT_EQ(cp.status, 200);
  EXPECT_EQ(cp.body.rfind("media.example.com/lethe/audit\n", 0), 0u) << cp.body;
  const std::string base = "/.well-known/lethe/checkpoint/consistency";
  for (const char* q : {"", "?from=1", "?to=2", "?from=a&to=2", "?from=-1&to=2", "?from=3&to=2",
                        "?from=1&to=1000000", "?from=1&to=2x"}) {
    Response r = client.Get(base + q);
    LETHE_EXPECT_PROBLEM(r, 400, "bad-request");
  }
  Response same = client.Get(base + "?from=1&to=1");
  ASSERT_EQ(same.status, 200) << same.Describe();
  EXPECT_TRUE(Arr(same.Json(), "proof").empty());
  // A bad origin stops the server from starting.
  CommandResult refused = RunCommand({LETHE_BINARY, "serve", "--listen", "127.0.0.1:0", "--data",
                                      server.root_dir() + "/other", "--checkpoint-origin", "a b"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("invalid-origin"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace lethe::e2e
