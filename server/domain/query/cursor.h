// Page cursors: opaque, tamper-evident, and bound to the query and the site
// they came from (AIP-158: a cursor grants nothing).
//
// A cursor is base64url(payload || HMAC-SHA256(secret, context || payload)),
// where the payload (CBOR) carries the query's canonical filter, its effective
// sort order, the page size and the anchor (the sort values and id of the item
// the page is next to), and the context names the format and the caller's
// site. Carrying the query lets the next page be asked for with the cursor
// alone; carrying a position rather than an offset keeps paging stable while
// requests are added or removed. Any change to a cursor, or using it on another
// site, fails the MAC check.
#ifndef BACKINSTOCK_SERVER_DOMAIN_QUERY_CURSOR_H_
#define BACKINSTOCK_SERVER_DOMAIN_QUERY_CURSOR_H_

#include <openssl/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "server/domain/query/page.h"
#include "server/domain/query/sort.h"

namespace backinstock::domain::query {

// What a cursor says.
struct CursorState {
  std::string filter;  // CanonicalFilter() of the query's filter
  SortOrder order;     // effective order, ending with id
  int limit = kDefaultLimit;
  Anchor anchor;
};

// The filter's bytes in a canonical form (deterministic serialisation: map
// keys sorted at every depth), so equal filters give equal bytes.
std::string CanonicalFilter(const google::protobuf::Struct& filter);

class CursorCodec {
 public:
  // The smallest secret accepted, in bytes.
  static constexpr size_t kMinSecretBytes = 32;

  // A codec with a fresh random secret: cursors are valid only in this
  // process (replicas behind one address must share a secret instead).
  static absl::StatusOr<CursorCodec> WithRandomSecret();

  // A codec with a given secret (at least kMinSecretBytes bytes).
  static absl::StatusOr<CursorCodec> WithSecret(std::string secret);

  // The cursor for `state` on `site`; INTERNAL only if OpenSSL fails.
  absl::StatusOr<std::string> Encode(absl::string_view site, const CursorState& state) const;

  // The state, or INVALID_ARGUMENT (reason INVALID_CURSOR, BadRequest on
  // "query.cursor_paging.cursor") for anything this codec did not produce for
  // this site.
  absl::StatusOr<CursorState> Decode(absl::string_view site, absl::string_view cursor) const;

 private:
  explicit CursorCodec(std::shared_ptr<const EVP_MAC_CTX> keyed) : keyed_(std::move(keyed)) {}
  static absl::StatusOr<CursorCodec> Keyed(absl::string_view secret);
  // HMAC-SHA256 of the context, the site and `payload`; empty if OpenSSL
  // fails (which no cursor then matches).
  std::string Mac(absl::string_view site, absl::string_view payload) const;

  // HMAC-SHA256 already keyed with the secret, never used itself: each MAC
  // runs on a copy of it. Keying (hashing the padded key) and looking up the
  // algorithm happen once per codec instead of once per cursor; OpenSSL 3's
  // one-shot HMAC() did both on every call, a twentieth of a query's CPU.
  // Copies of the codec share it; copying a context only reads it, so
  // threads may copy it at once.
  std::shared_ptr<const EVP_MAC_CTX> keyed_;
};

}  // namespace backinstock::domain::query

#endif  // BACKINSTOCK_SERVER_DOMAIN_QUERY_CURSOR_H_
