// The number of cores this process may run on: what "one per core" means for
// thread pools. Under taskset, a cgroup cpuset or a batch scheduler's core
// allocation this is fewer than the machine's cores, and threads beyond it
// only take turns.
#pragma once

namespace flowrun {

// CPUs in this process's affinity mask (sched_getaffinity), at least 1;
// std::thread::hardware_concurrency() where the mask cannot be read.
int usable_cpu_count();

}  // namespace flowrun
