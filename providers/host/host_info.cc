#include "providers/host/host_info.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <arpa/inet.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gatehouse::providers {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream file(path);
  if (!file) return false;
  std::stringstream buffer;
  buffer << file.rdbuf();
  *out = buffer.str();
  return true;
}

std::string Unquote(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out.push_back(value[i]);
  }
  return out;
}

// Non-loopback addresses and MAC addresses of the interfaces that are up, sorted.
void CollectInterfaces(Value::List* ips, Value::List* macs) {
  struct ifaddrs* addresses = nullptr;
  if (getifaddrs(&addresses) != 0) return;
  std::set<std::string> ip_set, mac_set;
  for (struct ifaddrs* a = addresses; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || (a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const int family = a->ifa_addr->sa_family;
    char text[INET6_ADDRSTRLEN] = {0};
    if (family == AF_INET) {
      auto* in = reinterpret_cast<struct sockaddr_in*>(a->ifa_addr);
      if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text))) ip_set.insert(text);
    } else if (family == AF_INET6) {
      auto* in6 = reinterpret_cast<struct sockaddr_in6*>(a->ifa_addr);
      if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text))) ip_set.insert(text);
    } else if (family == AF_PACKET) {
      auto* ll = reinterpret_cast<struct sockaddr_ll*>(a->ifa_addr);
      if (ll->sll_halen != 6) continue;
      bool all_zero = true;
      for (int i = 0; i < 6; ++i) all_zero = all_zero && ll->sll_addr[i] == 0;
      if (all_zero) continue;
      mac_set.insert(absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0],
                                     ll->sll_addr[1], ll->sll_addr[2], ll->sll_addr[3],
                                     ll->sll_addr[4], ll->sll_addr[5]));
    }
  }
  freeifaddrs(addresses);
  for (const auto& ip : ip_set) ips->push_back(Value(ip));
  for (const auto& mac : mac_set) macs->push_back(Value(mac));
}

}  // namespace

std::map<std::string, std::string> ParseOsRelease(absl::string_view text) {
  std::map<std::string, std::string> fields;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t equals = line.find('=');
    if (equals == absl::string_view::npos || equals == 0) continue;
    fields[std::string(line.substr(0, equals))] = Unquote(line.substr(equals + 1));
  }
  return fields;
}

absl::StatusOr<Value::Map> CollectHostInfo(const HostSources& sources) {
  struct utsname uts;
  if (uname(&uts) != 0) {
    return absl::InternalError(absl::StrCat("host provider: uname failed: ", std::strerror(errno)));
  }
  Value::Map host;
  host["name"] = Value(absl::AsciiStrToLower(uts.nodename));
  host["architecture"] = Value(std::string(uts.machine));

  Value::Map os;
  os["kernel"] = Value(std::string(uts.release));
  os["type"] = Value(absl::AsciiStrToLower(uts.sysname));
  std::string text;
  if (ReadFile(sources.os_release_path, &text)) {
    auto fields = ParseOsRelease(text);
    const std::string id = fields["ID"];
    // family: the first ID_LIKE entry (ubuntu is like debian), else the id itself.
    std::vector<std::string> like = absl::StrSplit(fields["ID_LIKE"], ' ', absl::SkipEmpty());
    const std::string family = like.empty() ? id : like.front();
    if (!id.empty()) os["platform"] = Value(id);
    if (!family.empty()) os["family"] = Value(family);
    if (!fields["VERSION_ID"].empty()) os["version"] = Value(fields["VERSION_ID"]);
    if (!fields["NAME"].empty()) os["name"] = Value(fields["NAME"]);
    if (!id.empty()) host["platform"] = Value(id);
  }
  host["os"] = Value(std::move(os));

  std::string machine_id;
  if (ReadFile(sources.machine_id_path, &machine_id)) {
    machine_id = std::string(absl::StripAsciiWhitespace(machine_id));
    if (!machine_id.empty()) host["id"] = Value(machine_id);
  }

  Value::List ips, macs;
  CollectInterfaces(&ips, &macs);
  host["ip"] = Value(std::move(ips));
  host["mac"] = Value(std::move(macs));
  return host;
}

}  // namespace gatehouse::providers
