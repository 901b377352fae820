// Small builders for etcd transactions, so that the stores read like the
// guards they express.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_TXN_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_TXN_H_

#include <cstdint>
#include <string>

#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace backinstock::store::etcd {

// Guards on `key`: unchanged since `mod_revision`, or absent when it is 0.
void GuardRevision(etcdserverpb::TxnRequest& txn, const std::string& key, int64_t mod_revision);
void GuardAbsent(etcdserverpb::TxnRequest& txn, const std::string& key);

void AddPut(etcdserverpb::RequestOp* op, const std::string& key, std::string value);
void AddDelete(etcdserverpb::RequestOp* op, const std::string& key);
void AddGet(etcdserverpb::RequestOp* op, const std::string& key);

// A linearizable read of one key.
etcdserverpb::RangeRequest GetRequest(const std::string& key);

// The key-value of a range response (the `index`th op of the response), or
// null when the key was absent.
const mvccpb::KeyValue* RangeResult(const etcdserverpb::TxnResponse& response, int index);

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_TXN_H_
