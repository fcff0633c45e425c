// Registry and admin mapping: validation of managers, funds and exemptions, and their output.
#include "server/funds/convert_fund.h"

#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/rpc/convert_common.h"

namespace riskcap::server {
namespace {

constexpr size_t kMaxNameChars = 200;
constexpr size_t kMaxReasonChars = 2000;

size_t Utf8Chars(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return chars;
}

// The CNPJ check digit over the first `n` digits (Receita Federal's modulo-11 rule).
int CnpjCheckDigit(const std::string& digits, size_t n) {
  int sum = 0;
  int weight = static_cast<int>(n) - 7;  // 5 for the first digit, 6 for the second
  for (size_t i = 0; i < n; ++i) {
    sum += (digits[i] - '0') * weight;
    weight = weight == 2 ? 9 : weight - 1;
  }
  int rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

void CheckCurrency(const std::string& code, const std::string& field, FieldErrors& errors) {
  bool iso = code.size() == 3;
  for (char c : code) iso = iso && absl::ascii_isupper(static_cast<unsigned char>(c));
  if (!iso) {
    errors.Add(field, absl::StrCat("must be an ISO 4217 code of 3 upper-case letters such as "
                                   "\"BRL\", got \"", code, "\""));
  }
}

void CheckCap(const google::protobuf::DoubleValue& cap, const std::string& field,
              FieldErrors& errors) {
  if (!(cap.value() > 0 && cap.value() <= 1)) {  // also refuses NaN
    errors.Add(field, absl::StrCat("must be a fraction of NAV in (0, 1] such as 0.5, got ",
                                   cap.value(), "; leave it unset when the bylaws set no cap"));
  }
}

}  // namespace

FieldPaths ParseUpdateMask(const google::protobuf::FieldMask& mask, const FieldPaths& allowed,
                           FieldErrors& errors) {
  std::vector<std::string> names(allowed.begin(), allowed.end());
  std::sort(names.begin(), names.end());
  std::string accepted = absl::StrJoin(names, ", ");
  if (mask.paths().empty()) {
    errors.Add("update_mask", absl::StrCat("is required: name the fields to replace (any of ",
                                           accepted, ")"));
  }
  FieldPaths paths;
  for (const std::string& path : mask.paths()) {
    if (allowed.contains(path)) {
      paths.insert(path);
    } else {
      errors.Add("update_mask", absl::StrCat("cannot update \"", path, "\"; the paths allowed are ",
                                             accepted));
    }
  }
  return paths;
}

void CheckName(const std::string& text, size_t max_chars, const std::string& field,
               FieldErrors& errors) {
  size_t chars = Utf8Chars(text);
  if (chars < 1 || chars > max_chars) {
    errors.Add(field, absl::StrCat("must be 1..", max_chars, " characters, got ", chars));
  } else if (absl::StripAsciiWhitespace(text).empty()) {
    errors.Add(field, "must not be blank");
  }
}

void CheckCnpj(const std::string& text, const std::string& field, FieldErrors& errors) {
  bool digits = text.size() == 14;
  for (char c : text) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (!digits) {
    errors.Add(field, absl::StrCat("must be a CNPJ of exactly 14 digits without punctuation "
                                   "(e.g. \"12345678000195\"), got \"", text, "\""));
    return;
  }
  bool all_equal = text.find_first_not_of(text[0]) == std::string::npos;
  if (all_equal || CnpjCheckDigit(text, 12) != text[12] - '0' ||
      CnpjCheckDigit(text, 13) != text[13] - '0') {
    errors.Add(field, absl::StrCat("\"", text, "\" is not a valid CNPJ: its check digits "
                                   "do not match"));
  }
}

void MergeManager(const v1::Manager& in, const FieldPaths& paths, const std::string& prefix,
                  Manager* out, FieldErrors& errors) {
  if (paths.contains("name")) {
    CheckName(in.name(), kMaxNameChars, prefix + ".name", errors);
    out->name = in.name();
  }
  if (paths.contains("tax_id")) {
    CheckCnpj(in.tax_id(), prefix + ".tax_id", errors);
    out->tax_id = in.tax_id();
  }
}

void MergeFund(const v1::Fund& in, const FieldPaths& paths, const std::string& prefix, Fund* out,
               FieldErrors& errors) {
  auto field = [&](const char* name) { return absl::StrCat(prefix, ".", name); };
  if (paths.contains("name")) {
    CheckName(in.name(), kMaxNameChars, field("name"), errors);
    out->name = in.name();
  }
  if (paths.contains("tax_id")) {
    CheckCnpj(in.tax_id(), field("tax_id"), errors);
    out->tax_id = in.tax_id();
  }
  if (paths.contains("manager_id")) {
    if (in.manager_id() <= 0) errors.Add(field("manager_id"), "is required (a manager id > 0)");
    out->manager_id = in.manager_id();
  }
  if (paths.contains("regulatory_class")) {
    out->regulatory_class = FromProtoEnum<RegulatoryClass>(in.regulatory_class(),
                                                           field("regulatory_class"), errors);
  }
  if (paths.contains("target_audience")) {
    out->target_audience = FromProtoEnum<TargetAudience>(in.target_audience(),
                                                         field("target_audience"), errors);
  }
  if (paths.contains("bylaws_margin_cap")) {
    if (in.has_bylaws_margin_cap()) {
      CheckCap(in.bylaws_margin_cap(), field("bylaws_margin_cap"), errors);
    }
    out->bylaws_margin_cap = in.has_bylaws_margin_cap()
                                 ? std::optional<double>(in.bylaws_margin_cap().value())
                                 : std::nullopt;
  }
  if (paths.contains("base_currency")) {
    CheckCurrency(in.base_currency(), field("base_currency"), errors);
    out->base_currency = in.base_currency();
  }
  if (paths.contains("active")) out->active = in.active();
}

Exemption ExemptionFromProto(const v1::Exemption& in, FieldErrors& errors) {
  Exemption e;
  e.fund_id = in.fund_id();
  if (in.fund_id() <= 0) errors.Add("exemption.fund_id", "is required (a fund id > 0)");
  e.reason = in.reason();
  CheckName(in.reason(), kMaxReasonChars, "exemption.reason", errors);
  e.valid_from = ParseDateField(in.start_date(), "exemption.start_date", errors);
  e.valid_to = ParseDateField(in.end_date(), "exemption.end_date", errors);
  bool both_parsed = ParseDate(in.start_date()).ok() && ParseDate(in.end_date()).ok();
  if (both_parsed && e.valid_to < e.valid_from) {
    errors.Add("exemption.end_date",
               absl::StrCat("must be on or after start_date (", in.start_date(), ")"));
  }
  return e;
}

void ToProto(const Manager& manager, v1::Manager* out) {
  out->set_manager_id(manager.id);
  out->set_name(manager.name);
  out->set_tax_id(manager.tax_id);
}

void ToProto(const Fund& fund, v1::Fund* out) {
  out->set_fund_id(fund.id);
  out->set_name(fund.name);
  out->set_tax_id(fund.tax_id);
  out->set_manager_id(fund.manager_id);
  out->set_regulatory_class(
      ToProtoEnum<RegulatoryClass, v1::RegulatoryClass>(fund.regulatory_class));
  out->set_target_audience(ToProtoEnum<TargetAudience, v1::TargetAudience>(fund.target_audience));
  if (fund.bylaws_margin_cap) out->mutable_bylaws_margin_cap()->set_value(*fund.bylaws_margin_cap);
  out->set_base_currency(fund.base_currency);
  out->set_active(fund.active);
}

void ToProto(const Exemption& exemption, v1::Exemption* out) {
  out->set_exemption_id(exemption.id);
  out->set_fund_id(exemption.fund_id);
  out->set_reason(exemption.reason);
  out->set_start_date(FormatDate(exemption.valid_from));
  out->set_end_date(FormatDate(exemption.valid_to));
  out->set_granted_by(exemption.granted_by);
  ToProtoTime(exemption.granted_at, out->mutable_grant_time());
  if (exemption.revoked_at) ToProtoTime(*exemption.revoked_at, out->mutable_revoke_time());
  out->set_revoked_by(exemption.revoked_by);
}

void ToProto(const ApiKey& key, v1::ApiKey* out) {
  out->set_api_key_id(key.id);
  out->set_label(key.label);
  out->set_role(ToProtoEnum<Role, v1::Role>(key.role));
  out->set_manager_id(key.manager_id.value_or(0));
  ToProtoTime(key.created_at, out->mutable_create_time());
  out->set_created_by(key.created_by);
  if (key.revoked_at) ToProtoTime(*key.revoked_at, out->mutable_revoke_time());
}

void ToProto(const AuditRecord& record, v1::AuditRecord* out) {
  out->set_audit_record_id(record.id);
  ToProtoTime(record.at, out->mutable_create_time());
  out->set_actor(record.principal);
  out->set_method(FullMethodName(record.method));
  out->set_request_id(record.request_id);
  out->set_outcome(record.outcome);
  out->set_detail(record.detail);
}

std::string FullMethodName(const std::string& method) {
  size_t slash = method.find('/');
  bool short_form = slash != std::string::npos && slash > 0 &&
                    absl::EndsWith(absl::string_view(method).substr(0, slash), "Service") &&
                    method.find_first_of("/ ", slash + 1) == std::string::npos;
  return short_form ? absl::StrCat("/riskcap.v1.", method) : method;
}

}  // namespace riskcap::server
