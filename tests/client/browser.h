// Test support: pages loaded in the real browser (Debian's headless Chromium) — the DOM after
// scripts ran, the console log, and screenshots written as test artefacts under the build
// directory.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace riskcap::client::browser_testing {

namespace fs = std::filesystem;

// Text as Chromium serialises it in --dump-dom: only &, < and > escaped.
inline std::string DomText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

struct BrowserRun {
  std::string dom, log;
};

// The dashboard screenshots a person looks at: <build>/report-screens.
inline std::string ScreenDir() {
  fs::path dir = fs::path(RISKCAP_BUILD_DIR) / "report-screens";
  fs::create_directories(dir);
  return dir.string();
}

inline std::string ArtefactDir() {
  fs::path dir = fs::path(RISKCAP_BUILD_DIR) / "test-artifacts";
  fs::create_directories(dir);
  return dir.string();
}

// Loads `html` (written to `name` under the artefact directory) in headless Chromium with a
// window `width` x `height` px and returns the DOM after scripts ran plus the browser's log;
// writes `screenshot` when given. Fails the test (never skips) when Chromium is missing.
inline BrowserRun Browse(const std::string& html, const std::string& name,
                         const std::string& screenshot = "", int width = 1280,
                         int height = 2400) {
  EXPECT_TRUE(fs::exists("/usr/bin/chromium")) << "Debian's chromium is needed (scripts/deps)";
  std::string path = ArtefactDir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << html;
  std::string profile = ArtefactDir() + "/chromium-profile-" + name;
  std::vector<std::string> common = {"/usr/bin/chromium",
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--window-size=" + std::to_string(width) + "," +
                                         std::to_string(height),
                                     "--enable-logging=stderr",
                                     "--v=0",
                                     "--user-data-dir=" + profile,
                                     "--hide-scrollbars"};
  BrowserRun run;
  std::vector<std::string> dump = common;
  dump.push_back("--dump-dom");
  dump.push_back("file://" + path);
  auto result = riskcap::testing::RunCommand(dump, {}, &run.log);
  EXPECT_TRUE(result.ok()) << result.status();
  if (result.ok()) {
    EXPECT_EQ(result->first, 0) << run.log;
    run.dom = result->second;
  }
  if (!screenshot.empty()) {
    std::vector<std::string> shot = common;
    shot.push_back("--screenshot=" + screenshot);
    shot.push_back("file://" + path);
    auto done = riskcap::testing::RunCommand(shot, {}, &run.log);
    EXPECT_TRUE(done.ok() && done->first == 0) << run.log;
  }
  fs::remove_all(profile);
  return run;
}

// The page's console messages and uncaught errors, as Chromium logs them.
inline std::vector<std::string> ConsoleLines(const std::string& log) {
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (line.find(":CONSOLE") != absl::string_view::npos) out.emplace_back(line);
  }
  return out;
}

}  // namespace riskcap::client::browser_testing
