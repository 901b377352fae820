#include "server/logging/line_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/test_server.h"

namespace backinstock::logging {
namespace {

std::string Contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LineWriter, WritesEveryLineInOrderFromManyThreads) {
  const std::string path = testing::TempPath("lines");
  {
    auto writer = *LineWriter::Open(path, LineWriter::WhenFull::kBlock, 16);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 1000; ++i) writer->Write(std::to_string(t) + ":" + std::to_string(i));
      });
    }
    for (auto& th : threads) th.join();
    writer->Flush();
    EXPECT_EQ(writer->dropped(), 0u);
  }
  std::istringstream lines(Contents(path));
  std::vector<int> next(4, 0);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const int t = line[0] - '0';
    EXPECT_EQ(line.substr(2), std::to_string(next[t]++));
    ++count;
  }
  EXPECT_EQ(count, 4000);
  unlink(path.c_str());
}

TEST(LineWriter, FlushMakesLinesVisible) {
  const std::string path = testing::TempPath("flush");
  auto writer = *LineWriter::Open(path, LineWriter::WhenFull::kDrop);
  writer->Write("hello");
  writer->Flush();
  EXPECT_EQ(Contents(path), "hello\n");
  unlink(path.c_str());
}

TEST(LineWriter, UnwritablePathIsAnError) {
  EXPECT_FALSE(LineWriter::Open("/nonexistent-dir/x.log", LineWriter::WhenFull::kDrop).ok());
}

}  // namespace
}  // namespace backinstock::logging
