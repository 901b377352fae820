// Every unary handler of our services runs through Unary(): the gate admits the
// caller first, and only then does the handler's body run. A denied call never
// reaches the body, so it has no effect.
//
// Where the body may block (a journal fsync, an etcd round trip, the
// notifier), it runs on a WorkQueue instead of gRPC's callback threads: there
// are only a few of those, and a blocked one stalls every call behind it (and
// with them the batching that makes group commit pay).
#ifndef BACKINSTOCK_SERVER_API_UNARY_H_
#define BACKINSTOCK_SERVER_API_UNARY_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "server/api/serial_site_writes.h"
#include "server/api/work_queue.h"
#include "server/auth/gate.h"

namespace backinstock::api {

// Where a unary body runs.
struct Offload {
  // Null: inline, on gRPC's thread (for bodies that never block).
  WorkQueue* queue = nullptr;
  // The ErrorInfo reason of the RESOURCE_EXHAUSTED a call gets when the
  // queue is full.
  absl::string_view busy_reason = "SERVER_BUSY";
};

namespace unary_internal {

// The status of a call whose body never ran: RESOURCE_EXHAUSTED with
// `busy_reason`, or, once the shutdown grace ran out, UNAVAILABLE (it never
// started, so it changed nothing, and the client may retry elsewhere).
inline absl::Status Refused(WorkQueue::Refusal refusal, absl::string_view busy_reason) {
  if (refusal == WorkQueue::Refusal::kBusy) {
    return errors::Error(absl::StatusCode::kResourceExhausted, busy_reason,
                         "the server has too much work waiting; try again shortly");
  }
  return errors::Error(absl::StatusCode::kUnavailable, "SHUTTING_DOWN",
                       "the server is shutting down; the call was not started");
}

// The gate, then `inline_answer`: the admitted caller when the call still
// needs its body, or nullopt once the call is finished.
template <typename InlineAnswer>
std::optional<auth::Caller> AdmitOrAnswer(const auth::Gate& gate,
                                          grpc::CallbackServerContext* context,
                                          grpc::ServerUnaryReactor* reactor,
                                          InlineAnswer& inline_answer) {
  absl::StatusOr<auth::Caller> caller = gate.Admit(context);
  if (!caller.ok()) {
    reactor->Finish(errors::ToGrpcStatus(caller.status()));
    return std::nullopt;
  }
  if (std::optional<absl::Status> answered = inline_answer(*caller)) {
    reactor->Finish(errors::ToGrpcStatus(*answered));
    return std::nullopt;
  }
  return *std::move(caller);
}

}  // namespace unary_internal

// Unary (below), with a first step: `inline_answer(const auth::Caller&) ->
// std::optional<absl::Status>` runs on gRPC's thread once the gate admitted
// the caller, and must not block. When it can answer without waiting on the
// store (the request is invalid, or it would change nothing) the call
// finishes there; only when it returns nullopt does `body` run, queued on the
// offload. Calls that change nothing then never wait behind writes, and cost
// no hand-off between threads.
template <typename InlineAnswer, typename Body>
grpc::ServerUnaryReactor* UnaryAnsweredInlineOr(const auth::Gate& gate,
                                                grpc::CallbackServerContext* context,
                                                InlineAnswer&& inline_answer, Body&& body,
                                                Offload offload) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<auth::Caller> caller =
      unary_internal::AdmitOrAnswer(gate, context, reactor, inline_answer);
  if (!caller) return reactor;
  if (offload.queue == nullptr) {
    reactor->Finish(errors::ToGrpcStatus(body(*caller)));
    return reactor;
  }
  const std::optional<WorkQueue::Refusal> refused = offload.queue->TrySubmit(
      [reactor, admitted = *std::move(caller), body = std::forward<Body>(body)]() mutable {
        reactor->Finish(errors::ToGrpcStatus(body(admitted)));
      },
      [reactor, busy_reason = offload.busy_reason] {
        reactor->Finish(errors::ToGrpcStatus(
            unary_internal::Refused(WorkQueue::Refusal::kShuttingDown, busy_reason)));
      });
  if (refused) {
    reactor->Finish(errors::ToGrpcStatus(unary_internal::Refused(*refused, offload.busy_reason)));
  }
  return reactor;
}

// UnaryAnsweredInlineOr for a write of the caller's site, through
// `site_writes` (null: inline, for stores that never block). A call that
// needs a write while its site has one queued or under way waits behind it
// holding no thread, and is asked `inline_answer` again once it ends: most
// such calls then find nothing left to write (serial_site_writes.h). Both
// functions run later on another thread, so they must capture what they use
// by value.
template <typename InlineAnswer, typename Body>
grpc::ServerUnaryReactor* UnarySiteWrite(const auth::Gate& gate,
                                         grpc::CallbackServerContext* context,
                                         InlineAnswer inline_answer, Body body,
                                         SerialSiteWrites* site_writes,
                                         absl::string_view busy_reason = "SERVER_BUSY") {
  if (site_writes == nullptr) {
    return UnaryAnsweredInlineOr(gate, context, std::move(inline_answer), std::move(body),
                                 Offload{});
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<auth::Caller> caller =
      unary_internal::AdmitOrAnswer(gate, context, reactor, inline_answer);
  if (!caller) return reactor;
  // Shared by the call's three answers; its site keys the line.
  auto admitted = std::make_shared<const auth::Caller>(*std::move(caller));
  const std::string& site = admitted->site;
  site_writes->Submit(site, SerialSiteWrites::Call{
                                [reactor, admitted, inline_answer]() mutable {
                                  std::optional<absl::Status> answered = inline_answer(*admitted);
                                  if (!answered) return false;
                                  reactor->Finish(errors::ToGrpcStatus(*answered));
                                  return true;
                                },
                                [reactor, admitted, body]() mutable {
                                  reactor->Finish(errors::ToGrpcStatus(body(*admitted)));
                                },
                                [reactor, busy_reason](WorkQueue::Refusal refusal) {
                                  reactor->Finish(errors::ToGrpcStatus(
                                      unary_internal::Refused(refusal, busy_reason)));
                                }});
  return reactor;
}

// `body(const auth::Caller&) -> absl::Status` fills the response and returns
// the call's status. With an offload queue it runs later on another thread, so
// it must capture what it uses by value (the request and response pointers
// stay valid until the call finishes).
template <typename Body>
grpc::ServerUnaryReactor* Unary(const auth::Gate& gate, grpc::CallbackServerContext* context,
                                Body&& body, Offload offload = {}) {
  return UnaryAnsweredInlineOr(
      gate, context, [](const auth::Caller&) { return std::optional<absl::Status>(); },
      std::forward<Body>(body), offload);
}

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_UNARY_H_
