// UploadSpool: binary row records in sorted runs on an unlinked temporary file.
#include "server/upload_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/canonical.h"
#include "core/status_macros.h"
#include "db/sha256.h"

namespace riskcap::server {
namespace {

// Records are written to and read from the file in blocks of about this size.
constexpr size_t kIoBytes = 1 << 20;
// The read buffer of each run while merging: many runs may be open at once.
constexpr size_t kMergeReadBytes = 64 << 10;

absl::Status IoError(std::string_view what) {
  return absl::InternalError(absl::StrCat("upload spool: ", AbslView(what), ": ", std::strerror(errno)));
}

// ---- Record codec: fixed-width little-endian scalars, length-prefixed strings, a presence
// byte before optional fields. A record is a u32 length, then the row number, then the row.

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}
  void I64(int64_t v) { out_->append(reinterpret_cast<const char*>(&v), sizeof v); }
  void F64(double v) { out_->append(reinterpret_cast<const char*>(&v), sizeof v); }
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void Day(Date d) {  // year, month, day: decoding them is cheaper than day arithmetic
    I64(d.year());
    U8(static_cast<uint8_t>(d.month()));
    U8(static_cast<uint8_t>(d.day()));
  }
  void Amount(Money m) { I64(m.micros()); }
  void Str(const std::string& s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    out_->append(reinterpret_cast<const char*>(&n), sizeof n);
    out_->append(s);
  }
  template <typename T, typename Write>
  void Opt(const std::optional<T>& v, Write write) {
    U8(v ? 1 : 0);
    if (v) write(*v);
  }

 private:
  std::string* out_;
};

// Reads what Encoder wrote; `ok()` turns false (and values read as zero) past the end.
class Decoder {
 public:
  Decoder(const char* p, size_t n) : p_(p), end_(p + n) {}
  bool ok() const { return ok_; }
  int64_t I64() { return Fixed<int64_t>(); }
  double F64() { return Fixed<double>(); }
  uint8_t U8() { return Fixed<uint8_t>(); }
  Date Day() {
    const int64_t year = I64();
    const int month = U8();
    return Date(year, month, U8());
  }
  Money Amount() { return Money::FromMicros(I64()); }
  std::string Str() {
    uint32_t n = Fixed<uint32_t>();
    if (!Has(n)) return {};
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  template <typename T, typename Read>
  std::optional<T> Opt(Read read) {
    if (U8() == 0) return std::nullopt;
    return read();
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

void Encode(const NavSnapshot& r, Encoder& e) {
  e.I64(r.fund_id);
  e.Day(r.position_date);
  e.Amount(r.nav);
  e.F64(r.exchange_margin_pct);
  e.Amount(r.derivatives_exposure);
  e.F64(r.derivatives_exposure_pct);
  e.Amount(r.derivatives_at_risk);
  for (double v : {r.derivatives_at_risk_pct, r.liquidity_ratio, r.var_95, r.var_99, r.stress_bull,
                   r.stress_bear, r.return_day, r.return_month, r.return_year}) {
    e.F64(v);
  }
  e.Str(r.criticality);
}

void Decode(Decoder& d, NavSnapshot& r) {
  r.fund_id = d.I64();
  r.position_date = d.Day();
  r.nav = d.Amount();
  r.exchange_margin_pct = d.F64();
  r.derivatives_exposure = d.Amount();
  r.derivatives_exposure_pct = d.F64();
  r.derivatives_at_risk = d.Amount();
  for (double* v : {&r.derivatives_at_risk_pct, &r.liquidity_ratio, &r.var_95, &r.var_99,
                    &r.stress_bull, &r.stress_bear, &r.return_day, &r.return_month,
                    &r.return_year}) {
    *v = d.F64();
  }
  r.criticality = d.Str();
}

void Encode(const NavHistoryEntry& r, Encoder& e) {
  e.I64(r.fund_id);
  e.Day(r.nav_date);
  e.Amount(r.opening_nav);
  e.Amount(r.closing_nav);
}

void Decode(Decoder& d, NavHistoryEntry& r) {
  r.fund_id = d.I64();
  r.nav_date = d.Day();
  r.opening_nav = d.Amount();
  r.closing_nav = d.Amount();
}

void Encode(const Position& r, Encoder& e) {
  e.I64(r.fund_id);
  e.Day(r.position_date);
  e.Str(r.asset_nickname);
  e.Str(r.isin);
  e.Str(r.asset_code);
  e.Str(r.asset_type_code);
  e.U8(static_cast<uint8_t>(r.classification));
  for (Money m : {r.quantity, r.price, r.notional, r.market_value}) e.Amount(m);
  e.Opt(r.asset_leg_balance, [&](Money m) { e.Amount(m); });
  e.Opt(r.liability_leg_balance, [&](Money m) { e.Amount(m); });
  e.Opt(r.asset_class, [&](OtcAssetClass c) { e.U8(static_cast<uint8_t>(c)); });
  e.Opt(r.start_date, [&](Date day) { e.Day(day); });
  e.Opt(r.end_date, [&](Date day) { e.Day(day); });
  e.Str(r.direction);
  e.Str(r.option_type);
  e.Opt(r.strike, [&](double v) { e.F64(v); });
  e.Opt(r.underlying_price, [&](double v) { e.F64(v); });
  e.Str(r.currency);
}

void Decode(Decoder& d, Position& r) {
  r.fund_id = d.I64();
  r.position_date = d.Day();
  r.asset_nickname = d.Str();
  r.isin = d.Str();
  r.asset_code = d.Str();
  r.asset_type_code = d.Str();
  r.classification = static_cast<PositionClassification>(d.U8());
  for (Money* m : {&r.quantity, &r.price, &r.notional, &r.market_value}) *m = d.Amount();
  r.asset_leg_balance = d.Opt<Money>([&] { return d.Amount(); });
  r.liability_leg_balance = d.Opt<Money>([&] { return d.Amount(); });
  r.asset_class = d.Opt<OtcAssetClass>([&] { return static_cast<OtcAssetClass>(d.U8()); });
  r.start_date = d.Opt<Date>([&] { return d.Day(); });
  r.end_date = d.Opt<Date>([&] { return d.Day(); });
  r.direction = d.Str();
  r.option_type = d.Str();
  r.strike = d.Opt<double>([&] { return d.F64(); });
  r.underlying_price = d.Opt<double>([&] { return d.F64(); });
  r.currency = d.Str();
}

template <typename Row>
void AppendRecord(int64_t row_no, const Row& row, std::string* out) {
  size_t start = out->size();
  out->append(sizeof(uint32_t), '\0');
  Encoder e(out);
  e.I64(row_no);
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

  // The next record into (row_no, row); false at the end of the range.
  absl::StatusOr<bool> Next(int64_t& row_no, Row& row) {
    uint32_t n = 0;
    ASSIGN_OR_RETURN(bool more, Bytes(sizeof n));
    if (!more) return false;
    std::memcpy(&n, buffer_.data() + pos_, sizeof n);
    pos_ += sizeof n;
    ASSIGN_OR_RETURN(more, Bytes(n));
    if (!more) return absl::InternalError("upload spool: truncated record");
    Decoder d(buffer_.data() + pos_, n);
    row_no = d.I64();
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
  const int64_t first = rows_added_ - static_cast<int64_t>(buffer_.size()) + 1;
  writer_ = std::thread([this, rows = std::move(buffer_), first]() mutable {
    writer_status_ = WriteRun(std::move(rows), first);
  });
  buffer_ = std::vector<Row>();
  buffer_.reserve(run_rows_);
  return absl::OkStatus();
}

template <typename Row>
absl::Status UploadSpool<Row>::Finish() {
  RETURN_IF_ERROR(JoinWriter());
  if (buffer_.empty()) return absl::OkStatus();
  const int64_t first = rows_added_ - static_cast<int64_t>(buffer_.size()) + 1;
  return WriteRun(std::exchange(buffer_, {}), first);
}

template <typename Row>
absl::Status UploadSpool<Row>::WriteRun(std::vector<Row> rows, int64_t first_row_no) {
  std::vector<uint32_t> order(rows.size());
  std::iota(order.begin(), order.end(), uint32_t{0});
  std::sort(order.begin(), order.end(),
            [&rows](uint32_t a, uint32_t b) { return CanonicalLess(rows[a], rows[b]); });
  Run run{file_bytes_, 0};
  std::string block;
  block.reserve(kIoBytes + kIoBytes / 4);
  for (size_t k = 0; k < order.size(); ++k) {
    AppendRecord(first_row_no + order[k], rows[order[k]], &block);
    if (block.size() < kIoBytes && k + 1 < order.size()) continue;
    RETURN_IF_ERROR(WriteAll(fd_, block, run.offset + run.bytes));
    run.bytes += static_cast<int64_t>(block.size());
    block.clear();
  }
  file_bytes_ += run.bytes;
  runs_.push_back(run);
  return absl::OkStatus();
}

template <typename Row>
absl::StatusOr<std::string> UploadSpool<Row>::ContentHash() const {
  std::vector<RecordReader<Row>> readers;
  std::vector<Row> heads(runs_.size());
  std::vector<size_t> heap;  // runs with a current row, a min-heap in canonical order
  readers.reserve(runs_.size());
  int64_t row_no = 0;
  for (size_t r = 0; r < runs_.size(); ++r) {
    readers.emplace_back(fd_, runs_[r].offset, runs_[r].bytes, kMergeReadBytes);
    ASSIGN_OR_RETURN(bool has, readers[r].Next(row_no, heads[r]));
    if (has) heap.push_back(r);
  }
  auto after = [&heads](size_t a, size_t b) { return CanonicalLess(heads[b], heads[a]); };
  std::make_heap(heap.begin(), heap.end(), after);
  db::Sha256 hash;
  std::string line;
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), after);
    const size_t r = heap.back();
    line.clear();
    AppendCanonical(heads[r], &line);
    hash.Update(line);
    ASSIGN_OR_RETURN(bool has, readers[r].Next(row_no, heads[r]));
    if (has) {
      std::push_heap(heap.begin(), heap.end(), after);
    } else {
      heap.pop_back();
    }
  }
  return hash.FinishHex();
}

template <typename Row>
db::RowChunks<Row> UploadSpool<Row>::Chunks(size_t chunk_rows) const {
  auto reader = std::make_shared<RecordReader<Row>>(fd_, 0, file_bytes_, kIoBytes);
  chunk_rows = std::max<size_t>(chunk_rows, 1);
  return [reader, chunk_rows](std::vector<Row>& chunk,
                              std::vector<int64_t>& row_numbers) -> absl::StatusOr<bool> {
    Row row;
    int64_t row_no = 0;
    while (chunk.size() < chunk_rows) {
      ASSIGN_OR_RETURN(bool has, reader->Next(row_no, row));
      if (!has) break;
      chunk.push_back(std::move(row));
      row_numbers.push_back(row_no);
    }
    return !chunk.empty();
  };
}

template class UploadSpool<NavSnapshot>;
template class UploadSpool<NavHistoryEntry>;
template class UploadSpool<Position>;

}  // namespace riskcap::server
