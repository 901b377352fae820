// Which process sweeps. With a store of its own (memory, --data_dir) the
// process always does; replicas sharing etcd take turns through a leader key
// (EtcdSweepLeadership), so that only one of them sweeps at a time.
#ifndef BACKINSTOCK_SERVER_RETENTION_SWEEP_LEADERSHIP_H_
#define BACKINSTOCK_SERVER_RETENTION_SWEEP_LEADERSHIP_H_

namespace backinstock::retention {

class SweepLeadership {
 public:
  virtual ~SweepLeadership() = default;
  // Before a run: takes (or keeps) the right to sweep; false when another
  // process holds it, or it cannot be known now.
  virtual bool Acquire() = 0;
  // During a run, before each delete: whether the right taken by the last
  // successful Acquire is still known to hold (a local check, no I/O).
  virtual bool Held() const = 0;
};

}  // namespace backinstock::retention

#endif  // BACKINSTOCK_SERVER_RETENTION_SWEEP_LEADERSHIP_H_
