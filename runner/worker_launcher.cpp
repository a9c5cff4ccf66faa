// The --nproc launcher: posix_spawn per worker, one process group for them
// all (so a Ctrl-C reaches each worker once, through this process), waitpid.
#include "runner/worker_launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "core/error.h"
#include "runner/cli_main.h"

extern char** environ;

namespace fs = std::filesystem;

namespace flowrun {

namespace {

volatile sig_atomic_t g_workers_pgid = 0;
volatile sig_atomic_t g_signalled = 0;

extern "C" void forward_to_workers(int sig) {
  g_signalled = sig;
  if (g_workers_pgid > 0) ::kill(-static_cast<pid_t>(g_workers_pgid), sig);
}

// A TCP port that was free a moment ago on the loopback interface.
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw RunError(std::string("cannot open a socket to find a free port: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw RunError(std::string("cannot find a free TCP port: ") + std::strerror(errno));
  return ntohs(a.sin_port);
}

// The last line of a worker's log that says what went wrong.
std::string last_error_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, found, last;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    last = line;
    if (line.find("error") != std::string::npos || line.find("failed") != std::string::npos) found = line;
  }
  std::string l = found.empty() ? last : found;
  for (const char* prefix : {"flowrun: ", "error: "})
    if (l.rfind(prefix, 0) == 0) l = l.substr(std::strlen(prefix));
  return l;
}

}  // namespace

void launch_workers(const WorkerLaunch& w, const LaunchEnv& env) {
  const int nnodes = env.nnodes, node_rank = env.node_rank;
  if (nnodes > 1 && (env.master_addr.empty() || env.master_port == 0))
    throw InputError("--nproc on " + std::to_string(nnodes) + " machines (NNODES) needs MASTER_ADDR and MASTER_PORT: "
                     "rank 0's machine and a free port on it");
  const std::string addr = env.master_addr.empty() ? "127.0.0.1" : env.master_addr;
  const int port = env.master_port != 0 ? env.master_port : free_loopback_port();
  const int world = nnodes * w.nproc;

  const fs::path logs = fs::path(w.out_dir) / "ranks";
  std::error_code ec;
  fs::create_directories(logs, ec);
  if (ec) throw RunError("cannot create " + logs.string() + ": " + ec.message());

  const std::string exe = torch_executable();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (auto& a : w.run_args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  static const char* const kSet[] = {"RANK=", "WORLD_SIZE=", "LOCAL_RANK=", "LOCAL_WORLD_SIZE=", "MASTER_ADDR=", "MASTER_PORT="};
  std::vector<std::string> base;
  for (char** e = environ; *e; ++e) {
    bool ours = false;
    for (const char* k : kSet) ours = ours || std::strncmp(*e, k, std::strlen(k)) == 0;
    if (!ours) base.emplace_back(*e);
  }

  std::cerr << "flowrun: starting " << w.nproc << " workers (ranks " << node_rank * w.nproc << ".."
            << node_rank * w.nproc + w.nproc - 1 << " of " << world << ", rendezvous " << addr << ":" << port
            << "); rank 0 reports here, the others in " << logs.string() << "/\n";
  std::map<pid_t, int> rank_of;
  struct sigaction sa{}, old_int{}, old_term{}, old_hup{};
  sa.sa_handler = forward_to_workers;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  ::sigaction(SIGHUP, &sa, &old_hup);
  pid_t pgid = 0;
  std::string spawn_error;
  for (int i = 0; i < w.nproc; ++i) {
    const int rank = node_rank * w.nproc + i;
    std::vector<std::string> env = base;
    env.push_back("RANK=" + std::to_string(rank));
    env.push_back("WORLD_SIZE=" + std::to_string(world));
    env.push_back("LOCAL_RANK=" + std::to_string(i));
    env.push_back("LOCAL_WORLD_SIZE=" + std::to_string(w.nproc));
    env.push_back("MASTER_ADDR=" + addr);
    env.push_back("MASTER_PORT=" + std::to_string(port));
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (logs / ("rank-" + std::to_string(rank) + ".log")).string();
    if (rank != 0) {
      posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      posix_spawn_file_actions_adddup2(&actions, 1, 2);
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, pgid);  // the first worker founds the group
    pid_t pid = 0;
    const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      spawn_error = "cannot start worker " + std::to_string(rank) + " (" + exe + "): " + std::strerror(rc);
      break;
    }
    if (pgid == 0) {
      pgid = pid;
      g_workers_pgid = pid;
    }
    rank_of[pid] = rank;
  }
  if (!spawn_error.empty() && pgid > 0) ::kill(-pgid, SIGTERM);

  // Wait; after the first failure the others get grace_seconds to end on
  // their own (their collectives fail at once when a peer is gone), then
  // SIGTERM, then SIGKILL.
  using Clock = std::chrono::steady_clock;
  int first_rank = -1, first_code = 0;
  Clock::time_point deadline{};
  int stage = 0;
  size_t alive = rank_of.size();
  while (alive > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, first_rank < 0 && spawn_error.empty() ? 0 : WNOHANG);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pid == 0) {
      if (Clock::now() >= deadline && stage < 2) {
        ::kill(-pgid, stage == 0 ? SIGTERM : SIGKILL);
        ++stage;
        deadline = Clock::now() + std::chrono::seconds(10);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (!rank_of.count(pid)) continue;
    --alive;
    const int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    if (code != 0 && first_rank < 0) {
      first_rank = rank_of[pid];
      first_code = code;
      deadline = Clock::now() + std::chrono::seconds(w.grace_seconds);
    }
  }
  g_workers_pgid = 0;
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  ::sigaction(SIGHUP, &old_hup, nullptr);
  if (!spawn_error.empty()) throw RunError(spawn_error);
  if (g_signalled)
    throw RunError("interrupted (signal " + std::to_string(g_signalled) + " passed to every worker); rank 0 saved the "
                   "last step it completed: continue with --resume " + w.out_dir);
  if (first_rank < 0) {
    std::cerr << "flowrun: all " << w.nproc << " workers done\n";
    return;
  }
  std::string msg = "worker rank " + std::to_string(first_rank) + " of " + std::to_string(world) + " failed first (" +
                    (first_code > 128 ? "killed by signal " + std::to_string(first_code - 128)
                                      : "exit " + std::to_string(first_code)) + ")";
  if (first_rank != 0) {
    const fs::path log = logs / ("rank-" + std::to_string(first_rank) + ".log");
    msg += ": " + last_error_line(log) + " (its log: " + log.string() + ")";
  } else {
    msg += "; its message is above";
  }
  if (first_code == 2) throw InputError(msg);
  throw RunError(msg);
}

}  // namespace flowrun
