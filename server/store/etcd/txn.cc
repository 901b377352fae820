#include "server/store/etcd/txn.h"

namespace backinstock::store::etcd {

void GuardRevision(etcdserverpb::TxnRequest& txn, const std::string& key, int64_t mod_revision) {
  if (mod_revision == 0) {
    GuardAbsent(txn, key);
    return;
  }
  etcdserverpb::Compare* compare = txn.add_compare();
  compare->set_key(key);
  compare->set_target(etcdserverpb::Compare::MOD);
  compare->set_result(etcdserverpb::Compare::EQUAL);
  compare->set_mod_revision(mod_revision);
}

void GuardAbsent(etcdserverpb::TxnRequest& txn, const std::string& key) {
  etcdserverpb::Compare* compare = txn.add_compare();
  compare->set_key(key);
  compare->set_target(etcdserverpb::Compare::CREATE);
  compare->set_result(etcdserverpb::Compare::EQUAL);
  compare->set_create_revision(0);
}

void AddPut(etcdserverpb::RequestOp* op, const std::string& key, std::string value) {
  etcdserverpb::PutRequest* put = op->mutable_request_put();
  put->set_key(key);
  put->set_value(std::move(value));
}

void AddDelete(etcdserverpb::RequestOp* op, const std::string& key) {
  op->mutable_request_delete_range()->set_key(key);
}

void AddGet(etcdserverpb::RequestOp* op, const std::string& key) {
  op->mutable_request_range()->set_key(key);
}

etcdserverpb::RangeRequest GetRequest(const std::string& key) {
  etcdserverpb::RangeRequest request;
  request.set_key(key);
  return request;
}

const mvccpb::KeyValue* RangeResult(const etcdserverpb::TxnResponse& response, int index) {
  if (index >= response.responses_size()) return nullptr;
  const etcdserverpb::RangeResponse& range = response.responses(index).response_range();
  return range.kvs().empty() ? nullptr : &range.kvs(0);
}

}  // namespace backinstock::store::etcd
