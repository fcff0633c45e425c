// UploadSpool: binary row records in sorted runs on an unlinked temporary file.
#include "server/ingest/upload_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/canonical.h"
#include "core/row_fields.h"
#include "core/status_macros.h"
#include "db/sha256.h"

namespace riskcap::server {
namespace {

// Records are written to and read from the file in blocks of about this size.
constexpr size_t kIoBytes = 1 << 20;
// The read buffer of each run while merging: many runs may be open at once.
constexpr size_t kMergeReadBytes = 64 << 10;
// Chunks the merge thread of Canonical() may run ahead of the writer.
constexpr size_t kQueuedChunks = 4;

absl::Status IoError(std::string_view what) {
  return absl::InternalError(absl::StrCat("upload spool: ", AbslView(what), ": ", std::strerror(errno)));
}

// ---- Record codec: each field of the row type's list (core/row_fields.h) in order, by its type:
// fixed-width little-endian scalars, a date as year (i64), month and day (u8), an enum as its
// index (u8), a length-prefixed string, a presence byte before an optional's value. A record is
// a u32 length, then the row. The file lives only as long as its upload, so the layout may
// change freely.

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  template <typename T>
  void Put(const T& v) {
    if constexpr (std::is_same_v<T, bool> || std::is_enum_v<T>) {
      U8(static_cast<uint8_t>(v));
    } else if constexpr (std::is_integral_v<T>) {
      Fixed(static_cast<int64_t>(v));
    } else if constexpr (std::is_same_v<T, double>) {
      Fixed(v);
    } else if constexpr (std::is_same_v<T, Money>) {
      Fixed(v.micros());
    } else if constexpr (std::is_same_v<T, Date>) {  // decoding y/m/d beats day arithmetic
      Fixed(static_cast<int64_t>(v.year()));
      U8(static_cast<uint8_t>(v.month()));
      U8(static_cast<uint8_t>(v.day()));
    } else if constexpr (std::is_same_v<T, std::string>) {
      Fixed(static_cast<uint32_t>(v.size()));
      out_->append(v);
    } else if constexpr (kIsOptional<T>) {
      U8(v ? 1 : 0);
      if (v) Put(*v);
    } else {
      static_assert(sizeof(T) == 0, "no spool encoding for this field type");
    }
  }

 private:
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  template <typename T>
  void Fixed(T v) {
    out_->append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  std::string* out_;
};

// Reads what Encoder wrote; `ok()` turns false (and values read as zero) past the end.
class Decoder {
 public:
  Decoder(const char* p, size_t n) : p_(p), end_(p + n) {}
  bool ok() const { return ok_; }

  template <typename T>
  void Get(T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      v = Fixed<uint8_t>() != 0;
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(Fixed<uint8_t>());
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(Fixed<int64_t>());
    } else if constexpr (std::is_same_v<T, double>) {
      v = Fixed<double>();
    } else if constexpr (std::is_same_v<T, Money>) {
      v = Money::FromMicros(Fixed<int64_t>());
    } else if constexpr (std::is_same_v<T, Date>) {
      const int64_t year = Fixed<int64_t>();
      const int month = Fixed<uint8_t>();
      v = Date(year, month, Fixed<uint8_t>());
    } else if constexpr (std::is_same_v<T, std::string>) {
      uint32_t n = Fixed<uint32_t>();
      if (!Has(n)) return v.clear();
      v.assign(p_, n);
      p_ += n;
    } else if constexpr (kIsOptional<T>) {
      if (Fixed<uint8_t>() == 0) return v.reset();
      Get(v.emplace());
    } else {
      static_assert(sizeof(T) == 0, "no spool decoding for this field type");
    }
  }

 private:
  bool Has(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) ok_ = false;
    return ok_;
  }
  template <typename T>
  T Fixed() {
    T v{};
    if (!Has(sizeof v)) return v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

template <typename Row>
void Encode(const Row& r, Encoder& e) {
  VisitFields(r, [&e](const auto&, const auto& value) { e.Put(value); });
}

template <typename Row>
void Decode(Decoder& d, Row& r) {
  VisitFields(r, [&d](const auto&, auto& value) { d.Get(value); });
}

template <typename Row>
void AppendRecord(const Row& row, std::string* out) {
  size_t start = out->size();
  out->append(sizeof(uint32_t), '\0');
  Encoder e(out);
  Encode(row, e);
  uint32_t n = static_cast<uint32_t>(out->size() - start - sizeof(uint32_t));
  std::memcpy(out->data() + start, &n, sizeof n);
}

absl::Status WriteAll(int fd, const std::string& data, int64_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                         static_cast<off_t>(offset + static_cast<int64_t>(done)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("write");
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Reads the records of one byte range of the file in order, through a buffer.
template <typename Row>
class RecordReader {
 public:
  RecordReader(int fd, int64_t offset, int64_t bytes, size_t buffer_bytes)
      : fd_(fd), next_(offset), end_(offset + bytes), buffer_bytes_(buffer_bytes) {}

  // The next record into `row`; false at the end of the range.
  absl::StatusOr<bool> Next(Row& row) {
    uint32_t n = 0;
    ASSIGN_OR_RETURN(bool more, Bytes(sizeof n));
    if (!more) return false;
    std::memcpy(&n, buffer_.data() + pos_, sizeof n);
    pos_ += sizeof n;
    ASSIGN_OR_RETURN(more, Bytes(n));
    if (!more) return absl::InternalError("upload spool: truncated record");
    Decoder d(buffer_.data() + pos_, n);
    Decode(d, row);
    pos_ += n;
    if (!d.ok()) return absl::InternalError("upload spool: malformed record");
    return true;
  }

 private:
  // Makes `n` unread bytes available at pos_; false when the range is exhausted.
  absl::StatusOr<bool> Bytes(size_t n) {
    if (buffer_.size() - pos_ >= n) return true;
    buffer_.erase(0, pos_);
    pos_ = 0;
    while (buffer_.size() < n && next_ < end_) {
      size_t want = static_cast<size_t>(
          std::min<int64_t>(end_ - next_, static_cast<int64_t>(std::max(n, buffer_bytes_))));
      size_t have = buffer_.size();
      buffer_.resize(have + want);
      ssize_t got = ::pread(fd_, buffer_.data() + have, want, static_cast<off_t>(next_));
      if (got < 0 && errno == EINTR) {
        buffer_.resize(have);
        continue;
      }
      if (got <= 0) return IoError("read");
      buffer_.resize(have + static_cast<size_t>(got));
      next_ += got;
    }
    return buffer_.size() >= n;
  }

  int fd_;
  int64_t next_;
  int64_t end_;
  size_t buffer_bytes_;
  std::string buffer_;
  size_t pos_ = 0;
};

std::string SpoolDir(const std::string& dir) {
  if (!dir.empty()) return dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace

template <typename Row>
absl::StatusOr<std::unique_ptr<UploadSpool<Row>>> UploadSpool<Row>::Create(const std::string& dir,
                                                                           size_t run_rows) {
  std::string path = SpoolDir(dir) + "/riskcap-upload.XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return IoError(absl::StrCat("creating a file in ", SpoolDir(dir)));
  ::unlink(path.c_str());
  return std::unique_ptr<UploadSpool>(new UploadSpool(fd, std::max<size_t>(run_rows, 1)));
}

template <typename Row>
UploadSpool<Row>::~UploadSpool() {
  JoinWriter().IgnoreError();
  ::close(fd_);
}

template <typename Row>
absl::Status UploadSpool<Row>::JoinWriter() {
  if (writer_.joinable()) writer_.join();
  return writer_status_;
}

template <typename Row>
absl::Status UploadSpool<Row>::Add(Row row) {
  buffer_.push_back(std::move(row));
  ++rows_added_;
  if (buffer_.size() < run_rows_) return absl::OkStatus();
  RETURN_IF_ERROR(JoinWriter());
  writer_ = std::thread([this, rows = std::move(buffer_)]() mutable {
    writer_status_ = WriteRun(std::move(rows));
  });
  buffer_ = std::vector<Row>();
  buffer_.reserve(run_rows_);
  return absl::OkStatus();
}

template <typename Row>
absl::Status UploadSpool<Row>::Finish() {
  RETURN_IF_ERROR(JoinWriter());
  if (buffer_.empty()) return absl::OkStatus();
  return WriteRun(std::exchange(buffer_, {}));
}

template <typename Row>
absl::Status UploadSpool<Row>::WriteRun(std::vector<Row> rows) {
  std::vector<uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), uint32_t{0});
  std::sort(order.begin(), order.end(),
            [&rows](uint32_t a, uint32_t b) { return CanonicalLess(rows[a], rows[b]); });
  SpoolRun run{runs_.empty() ? 0 : runs_.back().offset + runs_.back().bytes, 0};
  std::string block;
  block.reserve(kIoBytes + kIoBytes / 4);
  for (size_t k = 0; k < order.size(); ++k) {
    AppendRecord(rows[order[k]], &block);
    if (block.size() < kIoBytes && k + 1 < order.size()) continue;
    RETURN_IF_ERROR(WriteAll(fd_, block, run.offset + run.bytes));
    run.bytes += static_cast<int64_t>(block.size());
    block.clear();
  }
  runs_.push_back(run);
  return absl::OkStatus();
}

namespace {

// The rows of sorted runs in canonical order: a k-way merge over one buffered reader per run.
template <typename Row>
class RunMerger {
 public:
  RunMerger(int fd, const std::vector<SpoolRun>& runs) : heads_(runs.size()) {
    readers_.reserve(runs.size());
    for (const SpoolRun& run : runs) {
      readers_.emplace_back(fd, run.offset, run.bytes, kMergeReadBytes);
    }
  }

  // The next row in canonical order into `row`; false when every run is exhausted.
  absl::StatusOr<bool> Next(Row& row) {
    if (!started_) {
      started_ = true;
      for (size_t r = 0; r < readers_.size(); ++r) {
        ASSIGN_OR_RETURN(bool has, readers_[r].Next(heads_[r]));
        if (has) heap_.push_back(r);
      }
      std::make_heap(heap_.begin(), heap_.end(), After());
    }
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), After());
    const size_t r = heap_.back();
    row = std::move(heads_[r]);
    ASSIGN_OR_RETURN(bool has, readers_[r].Next(heads_[r]));
    if (has) {
      std::push_heap(heap_.begin(), heap_.end(), After());
    } else {
      heap_.pop_back();
    }
    return true;
  }

 private:
  auto After() const {
    return [this](size_t a, size_t b) { return CanonicalLess(heads_[b], heads_[a]); };
  }
  std::vector<RecordReader<Row>> readers_;
  std::vector<Row> heads_;  // each run's current row
  std::vector<size_t> heap_;  // runs with a current row, a min-heap in canonical order
  bool started_ = false;
};

// Feeds canonical lines to SHA-256 a block at a time rather than one short update per row.
template <typename Row>
class BatchHasher {
 public:
  void Add(const Row& row) {
    AppendCanonical(row, &block_);
    if (block_.size() >= kIoBytes / 4) Flush();
  }
  std::string FinishHex() {
    Flush();
    return hash_.FinishHex();
  }

 private:
  void Flush() {
    hash_.Update(block_);
    block_.clear();
  }
  db::Sha256 hash_;
  std::string block_;
};

// Merges the runs in canonical order, calls `on_row(Row&&)` (which may fail) for each row and
// returns the hex SHA-256 of their canonical lines: the batch's content hash.
template <typename Row, typename OnRow>
absl::StatusOr<std::string> HashMerged(int fd, const std::vector<SpoolRun>& runs, OnRow on_row) {
  RunMerger<Row> merger(fd, runs);
  BatchHasher<Row> hasher;
  Row row;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, merger.Next(row));
    if (!more) return hasher.FinishHex();
    hasher.Add(row);
    RETURN_IF_ERROR(on_row(std::move(row)));
  }
}

// Runs a RunMerger on its own thread and hands its rows over in chunks, at most `max_queued`
// chunks ahead of the consumer, hashing them on the way. Destroying it stops and joins the
// thread, whether or not every chunk was taken.
template <typename Row>
class CanonicalProducer {
 public:
  CanonicalProducer(int fd, std::vector<SpoolRun> runs, size_t chunk_rows,
                    size_t max_queued)
      : fd_(fd), runs_(std::move(runs)), chunk_rows_(chunk_rows), max_queued_(max_queued) {}
  ~CanonicalProducer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  CanonicalProducer(const CanonicalProducer&) = delete;
  CanonicalProducer& operator=(const CanonicalProducer&) = delete;

  // The next chunk, rows numbered on from 1; false after the last.
  absl::StatusOr<bool> Pop(std::vector<Row>& chunk, std::vector<int64_t>& numbers) {
    if (!thread_.joinable()) thread_ = std::thread([this] { Produce(); });
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return !queue_.empty() || done_; });
    if (queue_.empty()) {
      RETURN_IF_ERROR(status_);
      return false;
    }
    chunk = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    changed_.notify_all();
    for (size_t i = 0; i < chunk.size(); ++i) numbers.push_back(++numbered_);
    return true;
  }

  // The hash of every row; FailedPrecondition until the last chunk was taken.
  absl::StatusOr<std::string> Hash() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!done_ || !queue_.empty()) {
      return absl::FailedPreconditionError("upload spool: the hash is known after the last row");
    }
    RETURN_IF_ERROR(status_);
    return hash_;
  }

 private:
  void Produce() {
    absl::Status status = ProduceAll();
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    done_ = true;
    changed_.notify_all();
  }

  absl::Status ProduceAll() {
    std::vector<Row> chunk;
    auto flush = [&]() -> absl::Status {
      if (chunk.empty()) return absl::OkStatus();
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [this] { return queue_.size() < max_queued_ || stop_; });
      if (stop_) return absl::CancelledError("upload spool: reading stopped");
      queue_.push_back(std::exchange(chunk, {}));
      changed_.notify_all();
      return absl::OkStatus();
    };
    ASSIGN_OR_RETURN(std::string hex, HashMerged<Row>(fd_, runs_, [&](Row&& row) {
                       if (chunk.empty()) chunk.reserve(chunk_rows_);
                       chunk.push_back(std::move(row));
                       return chunk.size() < chunk_rows_ ? absl::OkStatus() : flush();
                     }));
    RETURN_IF_ERROR(flush());
    std::lock_guard<std::mutex> lock(mu_);
    hash_ = std::move(hex);
    return absl::OkStatus();
  }

  const int fd_;
  const std::vector<SpoolRun> runs_;
  const size_t chunk_rows_;
  const size_t max_queued_;
  std::thread thread_;  // started by the first Pop
  int64_t numbered_ = 0;  // consumer side only
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::vector<Row>> queue_;
  bool done_ = false;
  bool stop_ = false;
  absl::Status status_;
  std::string hash_;
};

}  // namespace

template <typename Row>
absl::StatusOr<std::string> UploadSpool<Row>::ContentHash() const {
  return HashMerged<Row>(fd_, runs_, [](Row&&) { return absl::OkStatus(); });
}

template <typename Row>
typename UploadSpool<Row>::CanonicalStream UploadSpool<Row>::Canonical(size_t chunk_rows) const {
  auto producer = std::make_shared<CanonicalProducer<Row>>(
      fd_, runs_, std::max<size_t>(chunk_rows, 1), kQueuedChunks);
  CanonicalStream out;
  out.chunks = [producer](std::vector<Row>& chunk, std::vector<int64_t>& numbers) {
    return producer->Pop(chunk, numbers);
  };
  out.hash = [producer] { return producer->Hash(); };
  return out;
}

template class UploadSpool<NavSnapshot>;
template class UploadSpool<NavHistoryEntry>;
template class UploadSpool<Position>;

}  // namespace riskcap::server
