// Test helper `pausing_backup SOURCE_URL TARGET_URL`: the copy `riskcapd backup` makes
// (server::RunBackupCommand over db::Backup), stopped for good after its first table and saying so
// on stderr ("paused after table NAME"), so that a test can kill a backup mid-copy. riskcapd
// itself has no such pause.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <iostream>
#include <string_view>

#include "db/backup.h"
#include "db/store.h"
#include "server/daemon/backup_command.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: pausing_backup SOURCE_URL TARGET_URL\n";
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the test that started it
  auto store = riskcap::db::Store::Open(argv[1], 2);
  if (!store.ok()) {
    std::cerr << "pausing_backup: " << store.status() << "\n";
    return 3;
  }
  riskcap::db::BackupOptions options;
  options.after_table = [](std::string_view table) {
    std::cerr << "paused after table " << table << std::endl;
    for (;;) pause();  // until the test kills this process
  };
  return riskcap::server::RunBackupCommand(argv[2], **store, options, std::cout, std::cerr);
}
