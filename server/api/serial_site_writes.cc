#include "server/api/serial_site_writes.h"

#include <iterator>
#include <optional>
#include <utility>

namespace backinstock::api {

void SerialSiteWrites::Submit(absl::string_view site, Call call) {
  bool opened = false;
  {
    absl::MutexLock lock(&mu_);
    auto [line, inserted] = lines_.try_emplace(site);
    opened = inserted;
    if (!opened && parked_ < max_parked_) {
      line->second.push_back(std::move(call));
      ++parked_;
      return;
    }
  }
  if (!opened) {
    call.refuse(queue_->Closed() ? Refusal::kShuttingDown : Refusal::kBusy);
    return;
  }
  const std::string key(site);
  // Refused (the queue is full or closed): calls may have parked behind it
  // meanwhile; they are answered (or queued) as if its write had ended.
  if (!Enqueue(key, std::move(call))) Continue(key);
}

bool SerialSiteWrites::Enqueue(const std::string& site, Call call) {
  // Both the job and its refusal need the call; only one of them runs.
  auto shared = std::make_shared<Call>(std::move(call));
  const std::optional<Refusal> refused = queue_->TrySubmit(
      [this, site, shared] {
        shared->write();
        Continue(site);
      },
      [this, site, shared] {
        shared->refuse(Refusal::kShuttingDown);
        RefuseLine(site);
      });
  if (refused) shared->refuse(*refused);
  return !refused;
}

void SerialSiteWrites::Continue(const std::string& site) {
  for (;;) {
    std::deque<Call> waiting;
    {
      absl::MutexLock lock(&mu_);
      auto line = lines_.find(site);  // present: this thread owns the line
      if (line->second.empty()) {
        lines_.erase(line);
        return;
      }
      waiting = TakeParked(line->second);
    }
    // Every waiting call is asked, not only those before the next write: a
    // call that needs no write on the state now is answered now.
    std::optional<Call> next;
    std::deque<Call> still_waiting;
    for (Call& call : waiting) {
      if (call.answer_without_writing()) continue;
      if (!next) {
        next = std::move(call);
      } else {
        still_waiting.push_back(std::move(call));
      }
    }
    if (!next) continue;  // all answered: look again for calls that came meanwhile
    if (!still_waiting.empty()) {
      absl::MutexLock lock(&mu_);
      std::deque<Call>& line = lines_.find(site)->second;
      // Ahead of the calls that came meanwhile: they keep their order.
      // Counted again, over the limit if need be: they were admitted.
      parked_ += still_waiting.size();
      line.insert(line.begin(), std::make_move_iterator(still_waiting.begin()),
                  std::make_move_iterator(still_waiting.end()));
    }
    if (Enqueue(site, *std::move(next))) return;
    // The queue is full or closed: that call was refused; go on with the rest.
  }
}

void SerialSiteWrites::RefuseLine(const std::string& site) {
  std::deque<Call> waiting;
  {
    absl::MutexLock lock(&mu_);
    auto line = lines_.find(site);  // present: this thread owns the line
    waiting = TakeParked(line->second);
    lines_.erase(line);
  }
  for (Call& call : waiting) call.refuse(Refusal::kShuttingDown);
}

std::deque<SerialSiteWrites::Call> SerialSiteWrites::TakeParked(std::deque<Call>& line) {
  std::deque<Call> taken;
  taken.swap(line);
  parked_ -= taken.size();
  return taken;
}

size_t SerialSiteWrites::BusySites() const {
  absl::MutexLock lock(&mu_);
  return lines_.size();
}

size_t SerialSiteWrites::Parked() const {
  absl::MutexLock lock(&mu_);
  return parked_;
}

}  // namespace backinstock::api
