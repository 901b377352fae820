#include "server/store/etcd/keys.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/store/catalog_key.h"

namespace backinstock::store::etcd {
namespace {

std::string SitePrefix(absl::string_view site) {
  return absl::StrCat(kRootPrefix, "sites/", site, "/");
}

// An open index key's last part: 64 lower-case hex digits.
bool IsDigest(absl::string_view part) {
  if (part.size() != 64) return false;
  for (char c : part) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::string SettingsKey(absl::string_view site) {
  return absl::StrCat(SitePrefix(site), "settings");
}

std::string RequestKey(absl::string_view site, absl::string_view id) {
  return absl::StrCat(SitePrefix(site), "requests/", id);
}

std::string OpenIndexKey(absl::string_view site, absl::string_view open_request_key) {
  return absl::StrCat(SitePrefix(site), "open/", Sha256Hex(open_request_key));
}

std::string ClaimKey(absl::string_view site, absl::string_view id) {
  return absl::StrCat(SitePrefix(site), "claims/", id);
}

std::string CounterKey(absl::string_view site) { return absl::StrCat(SitePrefix(site), "count"); }

std::string EmailTemplateKey(absl::string_view site) {
  return absl::StrCat(SitePrefix(site), "email_template");
}

std::string FenceKey() { return absl::StrCat(kRootPrefix, "fence"); }

ParsedKey ParseKey(absl::string_view key) {
  ParsedKey parsed;
  if (!absl::ConsumePrefix(&key, kRootPrefix) || !absl::ConsumePrefix(&key, "sites/")) {
    return parsed;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(key, '/');
  if (parts.size() < 2 || parts[0].empty()) return parsed;
  parsed.site = std::string(parts[0]);
  if (parts.size() == 2 && parts[1] == "settings") {
    parsed.kind = ParsedKey::Kind::kSettings;
  } else if (parts.size() == 2 && parts[1] == "count") {
    parsed.kind = ParsedKey::Kind::kCounter;
  } else if (parts.size() == 2 && parts[1] == "email_template") {
    parsed.kind = ParsedKey::Kind::kEmailTemplate;
  } else if (parts.size() == 3 && parts[1] == "requests" && !parts[2].empty()) {
    parsed.kind = ParsedKey::Kind::kRequest;
    parsed.id = std::string(parts[2]);
  } else if (parts.size() == 3 && parts[1] == "open" && IsDigest(parts[2])) {
    parsed.kind = ParsedKey::Kind::kOpenIndex;
  } else if (parts.size() == 3 && parts[1] == "claims" && !parts[2].empty()) {
    parsed.kind = ParsedKey::Kind::kClaim;
    parsed.id = std::string(parts[2]);
  }
  return parsed;
}

std::string CounterValue(int64_t count, absl::string_view writer) {
  return absl::StrFormat("%020d %s", count, writer);
}

int64_t CounterCount(absl::string_view value) {
  const size_t space = value.find(' ');
  int64_t count = 0;
  if (!absl::SimpleAtoi(value.substr(0, space), &count) || count < 0) return -1;
  return count;
}

absl::string_view CounterWriter(absl::string_view value) {
  const size_t space = value.find(' ');
  return space == absl::string_view::npos ? absl::string_view() : value.substr(space + 1);
}

}  // namespace backinstock::store::etcd
