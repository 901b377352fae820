// A site's records as one list that every reader shares until the site's
// next write. A query reads every record of its site; copying a shared
// pointer per record (and releasing it after the answer is sent, on another
// thread) touched each record's cache line twice per query, which a site's
// one shared list does once per write instead.
#ifndef BACKINSTOCK_SERVER_STORE_SHARED_RECORD_LIST_H_
#define BACKINSTOCK_SERVER_STORE_SHARED_RECORD_LIST_H_

#include <memory>
#include <utility>
#include <vector>

#include "server/store/notification_request_store.h"

namespace backinstock::store {

// Kept beside a site's records, under the lock that guards them.
class SharedRecordList {
 public:
  // The site's list: the one already built, or one built now from `records`
  // (a map whose values `record_of` turns into RecordPtr). The caller holds
  // the site's lock, shared or exclusive: two readers may both build a list,
  // from the same records, and either one is kept.
  template <typename Map, typename RecordOf>
  RecordList Get(const Map& records, RecordOf record_of) const {
    if (RecordList built = std::atomic_load(&list_)) return built;
    auto fresh = std::make_shared<std::vector<RecordPtr>>();
    fresh->reserve(records.size());
    for (const auto& [key, value] : records) fresh->push_back(record_of(value));
    RecordList built = std::move(fresh);
    std::atomic_store(&list_, built);
    return built;
  }

  // After any change to the records: the next reader builds a new list
  // (readers that hold the old one keep it). The caller holds the site's
  // lock exclusively, so no reader is inside Get.
  void Forget() { list_.reset(); }

 private:
  // Shared and exclusive holders of the site's lock read and write it
  // through std::atomic_load / atomic_store; Forget needs no atomics.
  mutable RecordList list_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_SHARED_RECORD_LIST_H_
