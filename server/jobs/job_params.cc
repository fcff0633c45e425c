// Job parameters through nlohmann's SAX parser: only a flat object of strings is accepted, so
// nothing nested is ever built.
#include "server/jobs/job_params.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/utf8.h"

namespace riskcap::server::jobs {
namespace {

using Json = nlohmann::json;

// The SAX handler: '{', then "key": "value" pairs, then '}'. False (a refusal) for anything else.
class FlatObject : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return Refuse("a value that is not a string"); }
  bool boolean(bool) override { return Refuse("a value that is not a string"); }
  bool number_integer(number_integer_t) override { return Refuse("a value that is not a string"); }
  bool number_unsigned(number_unsigned_t) override {
    return Refuse("a value that is not a string");
  }
  bool number_float(number_float_t, const string_t&) override {
    return Refuse("a value that is not a string");
  }
  bool binary(binary_t&) override { return Refuse("a value that is not a string"); }
  bool start_array(std::size_t) override { return Refuse("an array"); }
  bool end_array() override { return Refuse("an array"); }
  bool start_object(std::size_t) override {
    if (opened_) return Refuse("a nested object");
    opened_ = true;
    return true;
  }
  bool end_object() override { return true; }
  bool key(string_t& key) override {
    if (params_.size() >= kMaxParams) return Refuse(absl::StrCat("more than ", kMaxParams,
                                                                 " parameters"));
    if (params_.count(key) > 0) return Refuse(absl::StrCat("duplicate key ", QuoteForMessage(key)));
    key_ = key;
    return true;
  }
  bool string(string_t& value) override {
    if (!opened_) return Refuse("a value that is not an object");
    params_.emplace(std::move(key_), std::move(value));
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    return Refuse(ScrubUtf8(e.what()));
  }

  bool Refuse(std::string_view why) {
    if (error_.empty()) error_ = std::string(why);
    return false;
  }
  const std::string& error() const { return error_; }
  std::map<std::string, std::string>& params() { return params_; }

 private:
  bool opened_ = false;
  std::string key_;
  std::string error_;
  std::map<std::string, std::string> params_;
};

absl::Status Invalid(std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("parameters JSON: ", AbslView(why)));
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ParseParamsJson(std::string_view json) {
  if (json.size() > kMaxParamsJsonBytes) {
    return Invalid(absl::StrCat(json.size(), " bytes; at most ", kMaxParamsJsonBytes));
  }
  FlatObject object;
  bool parsed = false;
  try {
    parsed = Json::sax_parse(json.begin(), json.end(), &object);
  } catch (const Json::exception& e) {  // out_of_range for a number no double holds, as 1e999
    object.Refuse(ScrubUtf8(e.what()));
  }
  if (!parsed) return Invalid(object.error().empty() ? "not valid JSON" : object.error());
  return std::move(object.params());
}

}  // namespace riskcap::server::jobs
