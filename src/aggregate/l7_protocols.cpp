#include "aggregate/l7_protocols.h"

#include <algorithm>
#include <array>
#include <utility>

namespace flowlens::aggregate {
namespace {

// Sorted by port.
constexpr std::array<std::pair<std::uint16_t, std::string_view>, 56> kPorts = {{
    {20, "ftp-data"},
    {21, "ftp"},
    {22, "ssh"},
    {23, "telnet"},
    {25, "smtp"},
    {53, "dns"},
    {67, "dhcp"},
    {68, "dhcp"},
    {69, "tftp"},
    {80, "http"},
    {88, "kerberos"},
    {110, "pop3"},
    {119, "nntp"},
    {123, "ntp"},
    {135, "msrpc"},
    {137, "netbios-ns"},
    {138, "netbios-dgm"},
    {139, "netbios-ssn"},
    {143, "imap"},
    {161, "snmp"},
    {162, "snmptrap"},
    {389, "ldap"},
    {443, "https"},
    {445, "smb"},
    {465, "smtps"},
    {500, "isakmp"},
    {514, "syslog"},
    {587, "submission"},
    {636, "ldaps"},
    {853, "dns-over-tls"},
    {993, "imaps"},
    {995, "pop3s"},
    {1433, "mssql"},
    {1521, "oracle"},
    {1723, "pptp"},
    {1900, "ssdp"},
    {2049, "nfs"},
    {2375, "docker"},
    {3306, "mysql"},
    {3389, "rdp"},
    {4500, "ipsec-nat-t"},
    {5060, "sip"},
    {5432, "postgresql"},
    {5671, "amqps"},
    {5672, "amqp"},
    {5900, "vnc"},
    {5985, "winrm"},
    {5986, "winrm-https"},
    {6379, "redis"},
    {8080, "http-alt"},
    {8443, "https-alt"},
    {9092, "kafka"},
    {9200, "elasticsearch"},
    {10250, "kubelet"},
    {11211, "memcached"},
    {27017, "mongodb"},
}};

static_assert(std::is_sorted(kPorts.begin(), kPorts.end()));

}  // namespace

std::string_view l7_protocol(std::uint16_t dest_port, std::uint8_t protocol) {
  if (protocol != 6 && protocol != 17) return {};
  auto it =
      std::lower_bound(kPorts.begin(), kPorts.end(), dest_port,
                       [](const auto& entry, std::uint16_t port) { return entry.first < port; });
  return it != kPorts.end() && it->first == dest_port ? it->second : std::string_view{};
}

}  // namespace flowlens::aggregate
