#include "server/panels.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "common/ip_address.h"

namespace flowlens::server {
namespace {

// Names the prelude defines for the bodies (docs/dashboard.md lists them for console users):
//   Start, End        the window, whole rollup intervals (FlowIntervalStartTime >= Start and
//                     < End; every flow of an interval starts inside it)
//   Bin               the chart bin, a multiple of the interval, at most about 60 points
//   FlowsAnyTime      NTANetAnalytics under every filter but the window
//   Flows             NTANetAnalytics in the window under every filter, plus Measure (the
//                     chosen unit on each row) and Malicious (FlowType == "MaliciousFlow")
//   Connections       Flows grouped per connection and 10-minute interval, counted once even
//                     when both ends logged it (Traffic Analytics' rule, reference §3.4)
//   PublicEndpoints   one row per public IP entry of Src/DestPublicIps with that IP's own
//                     counters (EntryMeasure) and the local side of the flow
//   Conversations     every flow as (Src, Dst, EntryMeasure), public entries expanded
//   PublicIpInfoOf(T) NTAIpDetails in the window for the IPs in T(Ip), one row per IP (the
//                     latest details)
//   SelectedPublic    PublicEndpoints of the selected IP as a public peer (IP panels)
//   SelectedRows      the rows where the selected IP is one end, each connection once (IP panels)
//   SelectedIp, SelectedCountry   panel parameters
constexpr std::string_view kConnections = R"kql(let Connections = Flows
    | extend Dir = iff(FlowType in ("IntraVNet", "InterVNet"), "", FlowDirection), AtSrc = FlowDirection == "Outbound"
    | summarize {} by SrcIp, SrcSubscription, SrcNic, DestIp, DestSubscription, DestNic, DestPort, L4Protocol, Dir,
        FlowType, FlowIntervalStartTime
    | extend {};
)kql";

// Per unit: the aggregates of one connection and its Total / Denied / Allowed. Flows use the
// inference of reference §3.4 (an allowed outbound flow at the source that the destination
// denied is one denied flow); bytes and packets take, per direction, the larger of what the
// two ends reported.
constexpr std::string_view kConnFlowsAgg =
    "A_out = sum(AllowedOutFlows), A_in = sum(AllowedInFlows), D_out = sum(DeniedOutFlows), "
    "D_in = sum(DeniedInFlows)";
constexpr std::string_view kConnFlowsTotals =
    "Total = max_of(A_out, A_in + D_in) + D_out, Denied = D_in + D_out\n"
    "    | extend Allowed = Total - Denied";
constexpr std::string_view kConnCounterAgg =
    "FwdSrc = sumif({0}SrcToDest, AtSrc), FwdDst = sumif({0}SrcToDest, not(AtSrc)), "
    "RevSrc = sumif({0}DestToSrc, AtSrc), RevDst = sumif({0}DestToSrc, not(AtSrc)),\n"
    "        DFwdSrc = sumif({0}SrcToDest, AtSrc and FlowStatus == \"Denied\"), "
    "DFwdDst = sumif({0}SrcToDest, not(AtSrc) and FlowStatus == \"Denied\"),\n"
    "        DRevSrc = sumif({0}DestToSrc, AtSrc and FlowStatus == \"Denied\"), "
    "DRevDst = sumif({0}DestToSrc, not(AtSrc) and FlowStatus == \"Denied\")";
constexpr std::string_view kConnCounterTotals =
    "Total = max_of(FwdSrc, FwdDst) + max_of(RevSrc, RevDst), "
    "Denied = max_of(DFwdSrc, DFwdDst) + max_of(DRevSrc, DRevDst)\n"
    "    | extend Allowed = Total - Denied";

constexpr std::string_view kPublicEndpointsOf = R"kql(let PublicEndpointsOf = (T:(*)) {{
    T
    | where isempty(SrcIp) or isempty(DestIp)
    | project FlowStartTime, FlowEndTime, FlowIntervalStartTime, FlowType, FlowStatus, FlowDirection, SrcIp, DestIp,
        SrcVm, DestVm, SrcSubnet, DestSubnet, DestPort, L4Protocol, L7Protocol, AclGroup, AclRule, Country,
        AzureRegion, Malicious, Measure, Inbound = isempty(SrcIp),
        Entry = split(iff(isempty(SrcIp), SrcPublicIps, DestPublicIps), " ")
    | mv-expand Entry to typeof(string)
    | extend Ip = substring(Entry, 0, indexof(Entry, "|")), EntryMeasure = {}
    | extend LocalIp = iff(Inbound, DestIp, SrcIp), LocalVm = iff(Inbound, DestVm, SrcVm)
    | project-away Entry
}};
)kql";
constexpr std::string_view kConversations = R"kql(let Conversations = union
    (Flows | where isnotempty(SrcIp) and isnotempty(DestIp) | extend Src = SrcIp, Dst = DestIp, EntryMeasure = Measure),
    (PublicEndpoints | extend Src = iff(Inbound, Ip, SrcIp), Dst = iff(Inbound, DestIp, Ip));
)kql";
constexpr std::string_view kPublicIpInfo = R"kql(let PublicIpInfoOf = (Wanted:(Ip:string)) {
    NTAIpDetails
    | where FlowIntervalStartTime >= Start - Interval and FlowIntervalStartTime < End
    | where Ip in (Wanted)
    | summarize arg_max(FlowIntervalStartTime, FlowType, Location, PublicIpDetails, ThreatType, ThreatDescription, DnsDomain, Url) by Ip
    | project Ip, IpFlowType = FlowType, Country = Location, Asn = PublicIpDetails, ThreatType, ThreatDescription, DnsDomain, Url
};)kql";

const std::vector<ViewDef> kViews = {
    {"overview", "Overview"}, {"geo", "Geo map"},       {"ips", "Who connects"},
    {"ip", "IP detail"},      {"ports", "Open ports"},  {"distribution", "Traffic distribution"},
    {"rules", "NSG rules"},   {"topology", "Topology"}, {"status", "Pipeline status"},
};

const std::vector<PanelDef> kPanels = {
    // ---------------------------------------------------------------- Overview
    {"overview.totals",
     "overview",
     "Totals",
     "Traffic in the window; Total counts a connection once even when both ends logged it "
     "(Inbound and Outbound exclude traffic between your own VNets, which is Internal).",
     "card",
     {},
     R"kql(Connections
| summarize Total = sum(Total), Allowed = sum(Allowed), Denied = sum(Denied),
    Inbound = sumif(Total, Dir == "Inbound"), Outbound = sumif(Total, Dir == "Outbound"),
    Internal = sumif(Total, Dir == ""), Malicious = sumif(Total, FlowType == "MaliciousFlow")
| extend Total = coalesce(Total, 0), Allowed = coalesce(Allowed, 0), Denied = coalesce(Denied, 0),
    Inbound = coalesce(Inbound, 0), Outbound = coalesce(Outbound, 0), Internal = coalesce(Internal, 0),
    Malicious = coalesce(Malicious, 0)
| extend Hosts = toscalar(Flows | summarize dcount(MacAddress)))kql"},
    {"overview.inbound",
     "overview",
     "Inbound traffic",
     "Flows logged as inbound, allowed and denied, benign and malicious.",
     "timechart",
     {},
     R"kql(Flows
| where FlowDirection == "Inbound"
| summarize Value = sum(Measure) by Time = bin(FlowIntervalStartTime, Bin),
    Series = strcat(FlowStatus, iff(Malicious, " malicious", " benign"))
| sort by Time asc, Series asc
| render timechart)kql"},
    {"overview.outbound",
     "overview",
     "Outbound traffic",
     "Flows logged as outbound, allowed and denied, benign and malicious.",
     "timechart",
     {},
     R"kql(Flows
| where FlowDirection == "Outbound"
| summarize Value = sum(Measure) by Time = bin(FlowIntervalStartTime, Bin),
    Series = strcat(FlowStatus, iff(Malicious, " malicious", " benign"))
| sort by Time asc, Series asc
| render timechart)kql"},
    {"overview.top_pairs",
     "overview",
     "Top talking pairs",
     "The ten host pairs with the most traffic, both directions together.",
     "table",
     {},
     R"kql(let PrivatePairs = Connections
    | where isnotempty(SrcIp) and isnotempty(DestIp)
    | extend Swap = strcmp(SrcIp, DestIp) > 0
    | summarize Total = sum(Total), Allowed = sum(Allowed), Denied = sum(Denied),
        Malicious = sumif(Total, FlowType == "MaliciousFlow")
        by Host1 = iff(Swap, DestIp, SrcIp), Host2 = iff(Swap, SrcIp, DestIp);
let PublicPairs = PublicEndpoints
    | summarize Total = sum(EntryMeasure), Allowed = sumif(EntryMeasure, FlowStatus == "Allowed"),
        Denied = sumif(EntryMeasure, FlowStatus == "Denied"), Malicious = sumif(EntryMeasure, Malicious),
        L7 = max(L7Protocol) by Host1 = LocalIp, Host2 = Ip;
let VmOf = union (Flows | summarize Vm = max(SrcVm) by Ip = SrcIp), (Flows | summarize Vm = max(DestVm) by Ip = DestIp)
    | where isnotempty(Ip)
    | summarize Vm = max(Vm) by Ip;
let L7Of = Flows | summarize L7 = max(L7Protocol) by A = SrcIp, B = DestIp;
union PrivatePairs, PublicPairs
| top 10 by Total desc, Host1 asc, Host2 asc
| join kind=leftouter (VmOf | project Host1 = Ip, Vm1 = Vm) on Host1
| join kind=leftouter (VmOf | project Host2 = Ip, Vm2 = Vm) on Host2
| join kind=leftouter (L7Of | project Host1 = A, Host2 = B, PairL7 = L7) on Host1, Host2
| project Host1, Host2, Vm1 = coalesce(Vm1, ""), Vm2 = coalesce(Vm2, ""), Total, Allowed, Denied, Malicious,
    L7 = iff(isnotempty(L7), L7, coalesce(PairL7, ""))
| sort by Total desc, Host1 asc, Host2 asc)kql"},
    {"overview.top_blocked",
     "overview",
     "Top blocking NSG rules",
     "Rules that denied the most traffic, with up to three of your addresses involved (the "
     "destination of denied inbound flows, the source of denied outbound ones).",
     "table",
     {},
     R"kql(Flows
| where FlowStatus == "Denied"
| summarize Denied = sum(Measure), DeniedMalicious = sumif(Measure, Malicious),
    Hosts = make_set(iff(FlowDirection == "Inbound", DestIp, SrcIp), 3) by AclGroup, AclRule
| extend Hosts = strcat_array(Hosts, ", ")
| top 10 by Denied desc, AclGroup asc, AclRule asc)kql"},
    {"overview.baseline",
     "overview",
     "What is normal",
     "All traffic per bin against its expected level (series decomposition: trend and "
     "seasonality); bins far from it are listed as irregular.",
     "timechart",
     {},
     R"kql(// Only bins the data covers completely: a bin cut by the start or end of the data is no dip.
let DataStart = toscalar(Flows | summarize min(FlowIntervalStartTime));
let DataEnd = toscalar(Flows | summarize max(FlowIntervalStartTime)) + Interval;
let PerBin = materialize(Flows
    | summarize Value = sum(Measure) by Time = bin(FlowIntervalStartTime, Bin)
    | where Time >= DataStart and Time + Bin <= DataEnd);
let First = toscalar(PerBin | summarize min(Time));
let Last = toscalar(PerBin | summarize max(Time));
PerBin
| make-series Traffic = sum(Value) default = 0 on Time from coalesce(First, Start) to coalesce(Last, Start) + Bin step Bin
| extend (Anomalies, Score, Expected) = series_decompose_anomalies(Traffic, 1.5, -1, "linefit")
| project Time, Traffic, Expected
| mv-expand Time to typeof(datetime), Traffic to typeof(long), Expected to typeof(real)
| extend Expected = tolong(round(max_of(Expected, 0.0), 0))
| mv-expand Series = pack_array("Traffic", "Expected") to typeof(string), Value = pack_array(Traffic, Expected) to typeof(long)
| project Time, Series, Value
| render timechart)kql"},
    {"overview.irregular",
     "overview",
     "What is irregular: spikes and dips",
     "Bins where a flow type's allowed or denied traffic left its expected range (anomaly score "
     "beyond 1.5), strongest first.",
     "table",
     {},
     R"kql(// Only bins the data covers completely: a bin cut by the start or end of the data is no dip.
let DataStart = toscalar(Flows | summarize min(FlowIntervalStartTime));
let DataEnd = toscalar(Flows | summarize max(FlowIntervalStartTime)) + Interval;
let PerBin = materialize(Flows
    | summarize Value = sum(Measure) by Time = bin(FlowIntervalStartTime, Bin), FlowType, FlowStatus
    | where Time >= DataStart and Time + Bin <= DataEnd);
let First = toscalar(PerBin | summarize min(Time));
let Last = toscalar(PerBin | summarize max(Time));
// Deviations smaller than 1% of an average bin's traffic are noise, however unusual.
let Noise = 0.01 * toscalar(PerBin | summarize sum(Value)) / max_of(1, (Last + Bin - First) / Bin);
PerBin
| make-series Value = sum(Value) default = 0 on Time from coalesce(First, Start) to coalesce(Last, Start) + Bin step Bin by FlowType, FlowStatus
| extend (Anomalies, Score, Expected) = series_decompose_anomalies(Value, 1.5, -1, "linefit")
| mv-expand Time to typeof(datetime), Value to typeof(long), Anomalies to typeof(int), Score to typeof(real),
    Expected to typeof(real)
| where Anomalies != 0 and abs(Value - Expected) >= Noise
| project Time, FlowType, FlowStatus, Kind = iff(Anomalies > 0, "spike", "dip"), Value,
    Expected = tolong(round(max_of(Expected, 0.0), 0)), Score = round(Score, 2)
| sort by abs(Score) desc, Time asc, FlowType asc, FlowStatus asc
| take 50)kql"},
    // ---------------------------------------------------------------- Geo map
    {"geo.countries",
     "geo",
     "Traffic by country",
     "Traffic with public IPs by their country (ISO 3166 alpha-2), benign and malicious.",
     "map",
     {},
     R"kql(Flows
| where isnotempty(Country)
| summarize Total = sum(Measure), Benign = sumif(Measure, not(Malicious)),
    Malicious = sumif(Measure, Malicious) by Country = toupper(Country)
| sort by Total desc, Country asc)kql"},
    {"geo.regions",
     "geo",
     "Azure regions (AzurePublic)",
     "Traffic with Azure public services, by Azure region.",
     "barchart",
     {},
     R"kql(Flows
| where FlowType == "AzurePublic"
| summarize Total = sum(Measure) by AzureRegion = iff(isempty(AzureRegion), "(unknown)", AzureRegion)
| sort by Total desc, AzureRegion asc
| take 20
| render barchart)kql"},
    {"geo.country",
     "geo",
     "Public IPs of the country",
     "Every public IP of the selected country with its traffic.",
     "table",
     {"country"},
     R"kql(let CountryFlows = Flows | where toupper(Country) == SelectedCountry;
PublicEndpointsOf(CountryFlows)
| summarize Total = sum(EntryMeasure), Inbound = sumif(EntryMeasure, Inbound),
    Outbound = sumif(EntryMeasure, not(Inbound)), Denied = sumif(EntryMeasure, FlowStatus == "Denied"),
    FlowType = max(FlowType), FirstSeen = min(FlowStartTime), LastSeen = max(FlowEndTime) by Ip
| top 500 by Total desc, Ip asc
| as PerIp
| join kind=leftouter (PublicIpInfoOf(PerIp | project Ip)) on Ip
| project Ip, FlowType, Asn, ThreatType, Total, Inbound, Outbound, Denied, FirstSeen, LastSeen
| sort by Total desc, Ip asc)kql"},
    // ---------------------------------------------------------------- Who connects
    {"ips.public",
     "ips",
     "Public IPs talking to your network",
     "Every public IP in the window with where it is, who owns it, its threat type and its "
     "traffic (top 200 by traffic).",
     "table",
     {},
     R"kql(let PerIp = materialize(PublicEndpoints
    | summarize Total = sum(EntryMeasure), Inbound = sumif(EntryMeasure, Inbound),
        Denied = sumif(EntryMeasure, FlowStatus == "Denied"), FlowType = max(FlowType), Country = max(Country),
        FirstSeen = min(FlowStartTime), LastSeen = max(FlowEndTime) by Ip
    | top 200 by Total desc, Ip asc);
PerIp
| join kind=leftouter (PublicIpInfoOf(PerIp | project Ip)) on Ip
| project Ip, FlowType, Country, Asn, ThreatType, Total, Inbound, Outbound = Total - Inbound, Denied, FirstSeen, LastSeen
| sort by Total desc, Ip asc)kql"},
    {"ips.by_type",
     "ips",
     "Public IPs by type",
     "How many distinct public IPs of each flow type were seen.",
     "piechart",
     {},
     R"kql(PublicEndpoints
| summarize IPs = dcount(Ip) by FlowType
| sort by IPs desc, FlowType asc
| render piechart)kql"},
    // ---------------------------------------------------------------- IP detail
    {"ip.info",
     "ip",
     "What flowlens knows about the IP",
     "Geo, owner and threat details for a public IP; VM, NIC and subnet for a private one.",
     "card",
     {"ip"},
     R"kql(// A private address: what its own NIC's flows say (summed partial rows, no merge needed).
let Private = union
        (Flows | where SrcIp == SelectedIp
            | summarize FirstSeen = min(FlowStartTime), LastSeen = max(FlowEndTime), Vm = max(SrcVm), Nic = max(SrcNic),
                Subnet = max(SrcSubnet)),
        (Flows | where DestIp == SelectedIp
            | summarize FirstSeen = min(FlowStartTime), LastSeen = max(FlowEndTime), Vm = max(DestVm), Nic = max(DestNic),
                Subnet = max(DestSubnet))
    | where isnotnull(FirstSeen)
    | summarize FirstSeen = min(FirstSeen), LastSeen = max(LastSeen), Vm = max(Vm), Nic = max(Nic), Subnet = max(Subnet)
    | where isnotnull(FirstSeen)
    | extend Ip = SelectedIp, Kind = "private";
// A public address: its NTAIpDetails rows (geo, owner, threat), latest first.
let Public = NTAIpDetails
    | where FlowIntervalStartTime >= Start and FlowIntervalStartTime < End
    | where Ip == SelectedIp
    | summarize arg_max(FlowIntervalStartTime, FlowType, Location, PublicIpDetails, ThreatType, ThreatDescription, DnsDomain, Url),
        FirstSeen = min(FlowIntervalStartTime), LastSeen = max(FlowIntervalEndTime) by Ip
    | project Ip, Kind = "public", FlowType, Country = Location, Asn = PublicIpDetails, ThreatType, ThreatDescription,
        DnsDomain, Url, FirstSeen, LastSeen;
union Public, Private
| sort by Kind desc
| take 1
| project Ip, Kind, FlowType, Country, Asn, ThreatType, ThreatDescription, DnsDomain, Url, Vm, Nic, Subnet, FirstSeen, LastSeen)kql"},
    {"ip.timeline",
     "ip",
     "Traffic over time",
     "The IP's traffic by direction and status; a connection between two of your hosts counts "
     "once, as the IP's own NIC logged it.",
     "timechart",
     {"ip"},
     R"kql(union
    (SelectedRows
        | summarize Value = sum(Measure) by Time = bin(FlowIntervalStartTime, Bin), Direction = Role, FlowStatus),
    (SelectedPublic
        | summarize Value = sum(EntryMeasure) by Time = bin(FlowIntervalStartTime, Bin), Direction = FlowDirection,
            FlowStatus)
| summarize Value = sum(Value) by Time, Series = strcat(Direction, " ", tolower(FlowStatus))
| sort by Time asc, Series asc
| render timechart)kql"},
    {"ip.ports",
     "ip",
     "Ports",
     "Destination ports of the IP's flows, either side.",
     "table",
     {"ip"},
     R"kql(union
    (SelectedRows
        | summarize Total = sum(Measure), Allowed = sumif(Measure, FlowStatus == "Allowed"),
            Denied = sumif(Measure, FlowStatus == "Denied") by DestPort, L4Protocol, L7Protocol, Direction = Role),
    (SelectedPublic
        | summarize Total = sum(EntryMeasure), Allowed = sumif(EntryMeasure, FlowStatus == "Allowed"),
            Denied = sumif(EntryMeasure, FlowStatus == "Denied") by DestPort, L4Protocol, L7Protocol,
            Direction = FlowDirection)
| summarize Total = sum(Total), Allowed = sum(Allowed), Denied = sum(Denied) by DestPort, L4Protocol, L7Protocol, Direction
| sort by Total desc, DestPort asc, L4Protocol asc, Direction asc
| take 100)kql"},
    {"ip.peers",
     "ip",
     "Peers",
     "Every address the IP talked to.",
     "table",
     {"ip"},
     R"kql(union
    (SelectedRows
        | where isnotempty(SrcIp) and isnotempty(DestIp)
        | summarize Total = sum(Measure), Allowed = sumif(Measure, FlowStatus == "Allowed"),
            Denied = sumif(Measure, FlowStatus == "Denied"), PeerVm = max(iff(SrcIp == SelectedIp, DestVm, SrcVm)),
            FlowType = max(FlowType), Country = max(Country) by Peer = iff(SrcIp == SelectedIp, DestIp, SrcIp)),
    (PublicEndpoints
        | summarize Total = sum(EntryMeasure), Allowed = sumif(EntryMeasure, FlowStatus == "Allowed"),
            Denied = sumif(EntryMeasure, FlowStatus == "Denied"), PeerVm = max(iff(Ip == SelectedIp, LocalVm, "")),
            FlowType = max(FlowType), Country = max(iff(Ip == SelectedIp, "", Country))
            by Peer = iff(Ip == SelectedIp, LocalIp, Ip))
| summarize Total = sum(Total), Allowed = sum(Allowed), Denied = sum(Denied), PeerVm = max(PeerVm),
    FlowType = max(FlowType), Country = max(Country) by Peer
| project Peer, PeerVm, FlowType, Country, Total, Allowed, Denied
| sort by Total desc, Peer asc
| take 100)kql"},
    {"ip.rules",
     "ip",
     "NSG rules hit",
     "Rules that allowed or denied the IP's flows.",
     "table",
     {"ip"},
     R"kql(union
    (Flows | where SrcIp == SelectedIp or DestIp == SelectedIp
        | summarize Hits = sum(Measure) by AclGroup, AclRule, FlowStatus),
    (SelectedPublic | summarize Hits = sum(EntryMeasure) by AclGroup, AclRule, FlowStatus)
| summarize Hits = sum(Hits) by AclGroup, AclRule, FlowStatus
| sort by Hits desc, AclGroup asc, AclRule asc, FlowStatus asc)kql"},
    // ---------------------------------------------------------------- Open ports
    {"ports.open",
     "ports",
     "Ports open to the internet",
     "Destinations in your network that accepted inbound flows from public IPs.",
     "table",
     {},
     R"kql(Flows
| where FlowDirection == "Inbound" and FlowStatus == "Allowed" and isempty(SrcIp)
| summarize AllowedInbound = sum(Measure), FromMalicious = sumif(Measure, Malicious),
    DestVm = max(DestVm), DestSubnet = max(DestSubnet), L7Protocol = max(L7Protocol)
    by DestIp, DestPort, L4Protocol
| project DestIp, DestVm, DestSubnet, DestPort, L4Protocol, L7Protocol, AllowedInbound, FromMalicious
| sort by AllowedInbound desc, DestIp asc, DestPort asc, L4Protocol asc
| take 500)kql"},
    {"ports.most_tried",
     "ports",
     "Most-tried ports from the internet",
     "Inbound traffic from public IPs per destination port, allowed and denied.",
     "barchart",
     {},
     R"kql(Flows
| where FlowDirection == "Inbound" and isempty(SrcIp)
| summarize Allowed = sumif(Measure, FlowStatus == "Allowed"), Denied = sumif(Measure, FlowStatus == "Denied"),
    Total = sum(Measure) by Port = strcat(DestPort, "/", L4Protocol)
| top 15 by Total desc, Port asc
| project Port, Allowed, Denied
| render barchart)kql"},
    {"ports.most_denied",
     "ports",
     "Most-denied ports",
     "Inbound traffic from public IPs that NSG rules denied, per destination port.",
     "barchart",
     {},
     R"kql(Flows
| where FlowDirection == "Inbound" and FlowStatus == "Denied" and isempty(SrcIp)
| summarize Denied = sum(Measure) by Port = strcat(DestPort, "/", L4Protocol)
| top 15 by Denied desc, Port asc
| render barchart)kql"},
    // ---------------------------------------------------------------- Distribution
    {"dist.vnet",
     "distribution",
     "By VNet",
     "Traffic per VNet (either end).",
     "barchart",
     {},
     R"kql(Flows
| summarize A = sumif(Measure, FlowStatus == "Allowed"), D = sumif(Measure, FlowStatus == "Denied") by SrcSubnet, DestSubnet
| extend SrcVNet = strcat_array(array_slice(split(SrcSubnet, "/"), 0, 1), "/"),
    DestVNet = strcat_array(array_slice(split(DestSubnet, "/"), 0, 1), "/")
| extend Side = pack_array(SrcVNet, iff(DestVNet == SrcVNet, "", DestVNet))
| mv-expand Side to typeof(string)
| where isnotempty(Side)
| summarize Allowed = sum(A), Denied = sum(D) by VNet = Side
| sort by Allowed + Denied desc, VNet asc
| render barchart)kql"},
    {"dist.subnet",
     "distribution",
     "By subnet",
     "Traffic per subnet (either end), top 20.",
     "barchart",
     {},
     R"kql(Flows
| summarize A = sumif(Measure, FlowStatus == "Allowed"), D = sumif(Measure, FlowStatus == "Denied") by SrcSubnet, DestSubnet
| extend Side = pack_array(SrcSubnet, iff(DestSubnet == SrcSubnet, "", DestSubnet))
| mv-expand Side to typeof(string)
| where isnotempty(Side)
| summarize Allowed = sum(A), Denied = sum(D) by Subnet = Side
| top 20 by Allowed + Denied desc, Subnet asc
| render barchart)kql"},
    {"dist.vm",
     "distribution",
     "By VM",
     "Traffic per VM as its own NICs logged it (a connection between two of your VMs counts at "
     "each).",
     "table",
     {},
     R"kql(Flows
| extend Vm = iff(FlowDirection == "Outbound", SrcVm, DestVm), Subnet = iff(FlowDirection == "Outbound", SrcSubnet, DestSubnet)
| where isnotempty(Vm)
| summarize Total = sum(Measure), Inbound = sumif(Measure, FlowDirection == "Inbound"),
    Outbound = sumif(Measure, FlowDirection == "Outbound"), Denied = sumif(Measure, FlowStatus == "Denied"),
    Malicious = sumif(Measure, Malicious), Subnet = max(Subnet) by Vm
| project Vm, Subnet, Total, Inbound, Outbound, Denied, Malicious
| sort by Total desc, Vm asc
| take 200)kql"},
    {"dist.flowtype",
     "distribution",
     "By flow type",
     "Traffic per Traffic Analytics flow type.",
     "piechart",
     {},
     R"kql(Flows
| summarize Total = sum(Measure) by FlowType
| sort by Total desc, FlowType asc
| render piechart)kql"},
    {"dist.l7",
     "distribution",
     "By application protocol",
     "Traffic per L7 protocol, top 15.",
     "barchart",
     {},
     R"kql(Flows
| summarize Total = sum(Measure) by L7Protocol = iff(isempty(L7Protocol), "(unknown)", L7Protocol)
| top 15 by Total desc, L7Protocol asc
| render barchart)kql"},
    {"dist.encryption",
     "distribution",
     "By encryption status",
     "Traffic per FlowEncryption value (VNet encryption).",
     "piechart",
     {},
     R"kql(Flows
| summarize Total = sum(Measure) by FlowEncryption = iff(isempty(FlowEncryption), "(not reported)", FlowEncryption)
| sort by Total desc, FlowEncryption asc
| render piechart)kql"},
    {"dist.timeline",
     "distribution",
     "Flow types over time",
     "Traffic per flow type over time.",
     "timechart",
     {},
     R"kql(Flows
| summarize Value = sum(Measure) by Time = bin(FlowIntervalStartTime, Bin), Series = FlowType
| sort by Time asc, Series asc
| render timechart)kql"},
    // ---------------------------------------------------------------- NSG rules
    {"rules.top",
     "rules",
     "Rule hits",
     "Allowed and denied traffic per NSG rule.",
     "table",
     {},
     R"kql(Flows
| summarize Total = sum(Measure), Allowed = sumif(Measure, FlowStatus == "Allowed"),
    Denied = sumif(Measure, FlowStatus == "Denied"), Malicious = sumif(Measure, Malicious) by AclGroup, AclRule
| sort by Total desc, AclGroup asc, AclRule asc
| take 200)kql"},
    {"rules.timeline",
     "rules",
     "Top 5 rules over time",
     "Hits of the five busiest rules.",
     "timechart",
     {},
     R"kql(let PerBin = Flows | summarize Value = sum(Measure) by Time = bin(FlowIntervalStartTime, Bin), AclGroup, AclRule;
let Top = PerBin | summarize Total = sum(Value) by AclGroup, AclRule | top 5 by Total desc, AclGroup asc, AclRule asc;
PerBin
| join kind=inner (Top | project AclGroup, AclRule) on AclGroup, AclRule
| project Time, Series = strcat(tostring(split(AclGroup, "/")[-1]), "/", AclRule), Value
| sort by Time asc, Series asc
| render timechart)kql"},
    {"rules.malicious",
     "rules",
     "Rules that saw malicious traffic",
     "Rules that allowed or denied flows with malicious IPs; allowed ones need a look.",
     "table",
     {},
     R"kql(let MaliciousFlows = Flows | where Malicious;
PublicEndpointsOf(MaliciousFlows)
| summarize MaliciousAllowed = sumif(EntryMeasure, FlowStatus == "Allowed"),
    MaliciousDenied = sumif(EntryMeasure, FlowStatus == "Denied"),
    MaliciousIPs = strcat_array(make_set(Ip, 5), ", ") by AclGroup, AclRule
| sort by MaliciousAllowed desc, MaliciousDenied desc, AclGroup asc, AclRule asc)kql"},
    {"rules.never_hit",
     "rules",
     "Rules not hit in the window",
     "Rules that matched flows before the window but none in it (flow logs name only the rules "
     "that matched; rules that never matched anything are not in them).",
     "table",
     {},
     R"kql(FlowsAnyTime
| where FlowIntervalStartTime < Start
| summarize LastHit = max(FlowStartTime) by AclGroup, AclRule
| join kind=leftanti (Flows | summarize by AclGroup, AclRule) on AclGroup, AclRule
| sort by LastHit desc, AclGroup asc, AclRule asc
| take 200)kql"},
    // ---------------------------------------------------------------- Topology
    {"topology.graph",
     "topology",
     "Flows between subnets",
     "Traffic between subnets and to the internet, Azure services and on-premises networks.",
     "graph",
     {},
     R"kql(Flows
| extend Source = case(isnotempty(SrcSubnet), SrcSubnet, FlowType in ("ExternalPublic", "MaliciousFlow"), "Internet",
        FlowType == "AzurePublic", "Azure services", FlowType in ("S2S", "P2S"), "On-premises", "Unknown"),
    Target = case(isnotempty(DestSubnet), DestSubnet, FlowType in ("ExternalPublic", "MaliciousFlow"), "Internet",
        FlowType == "AzurePublic", "Azure services", FlowType in ("S2S", "P2S"), "On-premises", "Unknown")
| summarize Total = sum(Measure), Denied = sumif(Measure, FlowStatus == "Denied"), Malicious = sumif(Measure, Malicious)
    by Source, Target
| extend SourceKind = case(Source == "Internet", "internet", Source == "Azure services", "azure",
        Source == "On-premises", "onprem", Source == "Unknown", "unknown", "subnet"),
    TargetKind = case(Target == "Internet", "internet", Target == "Azure services", "azure",
        Target == "On-premises", "onprem", Target == "Unknown", "unknown", "subnet")
| project Source, SourceKind, Target, TargetKind, Total, Denied, Malicious
| sort by Total desc, Source asc, Target asc
| take 300)kql"},
    // ---------------------------------------------------------------- Pipeline status
    {"status.ingest_errors",
     "status",
     "Ingest errors",
     "The newest records flowlens could not store, with where they were.",
     "table",
     {},
     R"kql(IngestErrors
| top 100 by Time desc
| project Time, Source, RecordIndex, TupleIndex, ByteOffset, Code, Message)kql"},
    {"status.freshness",
     "status",
     "Stored data",
     "Rows and time range per stored table.",
     "table",
     {},
     R"kql(union
    (FlowTuples | summarize Rows = count(), From = min(FlowTime), To = max(FlowTime) | extend Table = "FlowTuples"),
    (NTANetAnalytics | summarize Rows = count(), From = min(FlowIntervalStartTime), To = max(FlowIntervalStartTime) | extend Table = "NTANetAnalytics"),
    (IngestErrors | summarize Rows = count(), From = min(Time), To = max(Time) | extend Table = "IngestErrors")
| project Table, Rows, From, To)kql"},
};

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view item = value.substr(start, comma - start);
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

// A value for a filter that names something in the data: printable, one line, bounded.
std::string checked_text(std::string_view name, std::string_view value) {
  if (value.size() > 512) throw PanelParamError(fmt::format("{}: longer than 512 bytes", name));
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) throw PanelParamError(fmt::format("{}: control character", name));
  return std::string(value);
}

std::string_view unit_measure(Unit u) {
  switch (u) {
    case Unit::kFlows:
      return "AllowedInFlows + AllowedOutFlows + DeniedInFlows + DeniedOutFlows";
    case Unit::kBytes:
      return "BytesSrcToDest + BytesDestToSrc";
    case Unit::kPackets:
      return "PacketsSrcToDest + PacketsDestToSrc";
  }
  return {};
}

// The counters of one Src/DestPublicIps entry, `IP|started|ended|packets out|packets in|bytes
// out|bytes in`, in the chosen unit.
std::string_view unit_entry_measure(Unit u) {
  switch (u) {
    case Unit::kFlows:
      return "tolong(split(Entry, \"|\")[1])";
    case Unit::kBytes:
      return "tolong(split(Entry, \"|\")[5]) + tolong(split(Entry, \"|\")[6])";
    case Unit::kPackets:
      return "tolong(split(Entry, \"|\")[3]) + tolong(split(Entry, \"|\")[4])";
  }
  return {};
}

std::string_view unit_name(Unit u) {
  return u == Unit::kFlows ? "flows" : u == Unit::kBytes ? "bytes" : "packets";
}

// The chart bin: the smallest round step that gives at most about 60 points.
struct ChartBin {
  Ticks ticks;
  std::string_view text;
};

ChartBin chart_bin(Ticks span, Ticks interval) {
  static constexpr std::array<std::pair<std::int64_t, std::string_view>, 12> kSteps = {{
      {1, "1m"},
      {5, "5m"},
      {10, "10m"},
      {15, "15m"},
      {30, "30m"},
      {60, "1h"},
      {120, "2h"},
      {180, "3h"},
      {360, "6h"},
      {720, "12h"},
      {1440, "1d"},
      {10080, "7d"},
  }};
  std::int64_t minutes = span / (kTicksPerSecond * 60);
  std::int64_t interval_minutes = std::max<std::int64_t>(1, interval / (kTicksPerSecond * 60));
  for (const auto& [step, text] : kSteps)  // bins hold whole rollup intervals
    if (step % interval_minutes == 0 && minutes <= step * 60)
      return {step * 60 * kTicksPerSecond, text};
  return {10080 * 60 * kTicksPerSecond, "7d"};
}

std::string datetime_literal(Ticks t) {
  return "datetime(" + format_iso8601(t) + ")";
}

}  // namespace

const std::vector<ViewDef>& dashboard_views() {
  return kViews;
}
const std::vector<PanelDef>& dashboard_panels() {
  return kPanels;
}

const PanelDef* find_panel(std::string_view id) {
  for (const PanelDef& p : kPanels)
    if (p.id == id) return &p;
  return nullptr;
}

std::string kql_string_literal(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

void set_panel_filter(PanelFilters& f, std::string_view name, std::string_view value) {
  auto time = [&](std::optional<Ticks>& slot) {
    if (value.empty()) return;
    auto t = parse_user_time(value);
    if (!t) throw PanelParamError(fmt::format("{}: not a time: {}", name, value));
    slot = *t;
  };
  auto one_of = [&](std::string& slot, std::initializer_list<std::string_view> allowed) {
    if (value.empty()) return;
    for (std::string_view a : allowed)
      if (value == a) {
        slot = std::string(value);
        return;
      }
    std::string list;
    for (std::string_view a : allowed)
      list.append(list.empty() ? "" : ", ").append(a);
    throw PanelParamError(fmt::format("{}: {} is not one of {}", name, value, list));
  };
  if (name == "from") {
    time(f.from);
  } else if (name == "to") {
    time(f.to);
  } else if (name == "unit") {
    if (value == "flows" || value.empty())
      f.unit = Unit::kFlows;
    else if (value == "bytes")
      f.unit = Unit::kBytes;
    else if (value == "packets")
      f.unit = Unit::kPackets;
    else
      throw PanelParamError(fmt::format("unit: {} is not one of flows, bytes, packets", value));
  } else if (name == "flowtype") {
    for (const std::string& t : split_list(value))
      f.flow_types.push_back(checked_text("flowtype", t));
  } else if (name == "vnet") {
    f.vnet = checked_text(name, value);
  } else if (name == "subnet") {
    f.subnet = checked_text(name, value);
  } else if (name == "direction") {
    one_of(f.direction, {"Inbound", "Outbound"});
  } else if (name == "status") {
    one_of(f.status, {"Allowed", "Denied"});
  } else if (name == "protocol") {
    f.protocol = checked_text(name, value);
  } else if (name == "ip") {
    // Canonical text, as the store writes addresses (IPv6 lower case, zeros compressed).
    IpAddress ip{};
    if (!value.empty() && !parse_ip(value, ip))
      throw PanelParamError(fmt::format("ip: not an IP address: {}", checked_text(name, value)));
    f.ip = value.empty() ? std::string() : format_ip(ip);
  } else if (name == "country") {
    if (!value.empty() &&
        (value.size() != 2 || !std::isalpha(static_cast<unsigned char>(value[0])) ||
         !std::isalpha(static_cast<unsigned char>(value[1]))))
      throw PanelParamError(fmt::format("country: not an ISO 3166 alpha-2 code: {}", value));
    f.country = std::string(value);
    for (char& c : f.country)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else {
    throw PanelParamError(fmt::format(
        "unknown parameter {} (known: from, to, unit, flowtype, vnet, subnet, direction, "
        "status, protocol, ip, country)",
        name));
  }
}

std::string panel_query(const PanelDef& panel, const PanelFilters& f, std::optional<Ticks> data_end,
                        Ticks interval) {
  for (std::string_view p : panel.params) {
    if (p == "ip" && f.ip.empty()) throw PanelParamError("this panel needs ?ip=ADDRESS");
    if (p == "country" && f.country.empty())
      throw PanelParamError("this panel needs ?country=CC (ISO 3166 alpha-2)");
  }
  constexpr Ticks kDay = kTicksPerSecond * 86400;
  Ticks end = f.to ? *f.to : data_end ? *data_end : now_ticks();
  Ticks start = f.from ? *f.from : end - kDay;
  if (start >= end) throw PanelParamError("from must be before to");
  // Whole chart bins (which hold whole rollup intervals): the start rounds down, the end up,
  // so no chart begins or ends with a bin only partly inside the window. Bins are aligned as
  // KQL's bin() aligns them, from 0001-01-01.
  ChartBin bin = chart_bin(end - start, interval > 0 ? interval : kTicksPerMinute);
  constexpr Ticks kOrigin = -621355968000000000;  // 0001-01-01 in Unix-epoch ticks
  auto floor_to = [&](Ticks t) {
    Ticks r = (t - kOrigin) % bin.ticks;
    return t - (r < 0 ? r + bin.ticks : r);
  };
  start = floor_to(start);
  end = floor_to(end - 1) + bin.ticks;

  std::string q = fmt::format("// flowlens dashboard panel {}: {}\n", panel.id, panel.title);
  q += fmt::format("let Start = {};\nlet End = {};\nlet Bin = {};\nlet Interval = {}m;\n",
                   datetime_literal(start), datetime_literal(end), bin.text,
                   std::max<Ticks>(1, interval / kTicksPerMinute));
  if (!f.ip.empty()) q += "let SelectedIp = " + kql_string_literal(f.ip) + ";\n";
  if (!f.country.empty()) q += "let SelectedCountry = " + kql_string_literal(f.country) + ";\n";
  // The global filters other than time, shared by Flows and FlowsAnyTime.
  std::string filters;
  if (!f.flow_types.empty()) {
    filters += "    | where FlowType in (";
    for (std::size_t i = 0; i < f.flow_types.size(); ++i)
      filters += (i ? ", " : "") + kql_string_literal(f.flow_types[i]);
    filters += ")\n";
  }
  if (!f.vnet.empty()) {
    std::string prefix = kql_string_literal(f.vnet + "/");
    filters +=
        fmt::format("    | where SrcSubnet startswith {0} or DestSubnet startswith {0}\n", prefix);
  }
  if (!f.subnet.empty()) {
    std::string s = kql_string_literal(f.subnet);
    filters += fmt::format("    | where SrcSubnet == {0} or DestSubnet == {0}\n", s);
  }
  if (!f.direction.empty())
    filters += "    | where FlowDirection == " + kql_string_literal(f.direction) + "\n";
  if (!f.status.empty())
    filters += "    | where FlowStatus == " + kql_string_literal(f.status) + "\n";
  if (!f.protocol.empty())
    filters += "    | where L4Protocol == " + kql_string_literal(f.protocol) + "\n";
  q += "let Flows = NTANetAnalytics\n"
       "    | where FlowIntervalStartTime >= Start and FlowIntervalStartTime < End\n";
  q += filters;
  q += fmt::format(
      "    | extend Measure = {}, Malicious = FlowType == \"MaliciousFlow\";  // unit: {}\n",
      unit_measure(f.unit), unit_name(f.unit));

  // The shared views, only when the body (or a view it uses) reads them.
  std::string_view body = panel.body;
  if (body.find("FlowsAnyTime") != std::string_view::npos) {
    q += "let FlowsAnyTime = NTANetAnalytics";
    q += filters.empty() ? ";\n" : "\n" + filters.substr(0, filters.size() - 1) + ";\n";
  }
  bool conversations = body.find("Conversations") != std::string_view::npos;
  bool endpoints = conversations;  // the view PublicEndpoints, not only the function
  for (std::size_t at = body.find("PublicEndpoints"); at != std::string_view::npos;
       at = body.find("PublicEndpoints", at + 1))
    if (body.substr(at, 17) != "PublicEndpointsOf") endpoints = true;
  if (body.find("Connections") != std::string_view::npos) {
    bool flows = f.unit == Unit::kFlows;
    std::string counter = f.unit == Unit::kBytes ? "Bytes" : "Packets";
    q += fmt::format(
        fmt::runtime(kConnections),
        flows ? std::string(kConnFlowsAgg) : fmt::format(fmt::runtime(kConnCounterAgg), counter),
        flows ? kConnFlowsTotals : kConnCounterTotals);
  }
  bool selected_public = body.find("SelectedPublic") != std::string_view::npos;
  if (endpoints || selected_public || body.find("PublicEndpointsOf") != std::string_view::npos)
    q += fmt::format(fmt::runtime(kPublicEndpointsOf), unit_entry_measure(f.unit));
  if (endpoints && !f.ip.empty()) {
    // Only the flows of the selected IP: a cheap substring test before the expansion, the
    // exact match after it.
    q += "let IpFlows = Flows\n"
         "    | where SrcIp == SelectedIp or DestIp == SelectedIp\n"
         "        or SrcPublicIps contains SelectedIp or DestPublicIps contains SelectedIp;\n"
         "let PublicEndpoints = PublicEndpointsOf(IpFlows)\n"
         "    | where Ip == SelectedIp or LocalIp == SelectedIp;\n";
  } else if (endpoints) {
    q += "let PublicEndpoints = PublicEndpointsOf(Flows);\n";
  }
  if (body.find("SelectedRows") != std::string_view::npos) {
    // The rows where the selected address is one end, each connection once: as its own NIC
    // logged them, or, for an address without a logging NIC in the window (on-premises, a VNet
    // without flow logs), as its peers logged them. Role is the direction seen from it.
    q += "let OwnRows = Flows\n"
         "    | where (SrcIp == SelectedIp and FlowDirection == \"Outbound\")\n"
         "        or (DestIp == SelectedIp and FlowDirection == \"Inbound\");\n"
         "let HasOwnRows = toscalar(OwnRows | count) > 0;\n"
         "let SelectedRows = Flows\n"
         "    | where SrcIp == SelectedIp or DestIp == SelectedIp\n"
         "    | where not(HasOwnRows) or (SrcIp == SelectedIp and FlowDirection == \"Outbound\")\n"
         "        or (DestIp == SelectedIp and FlowDirection == \"Inbound\")\n"
         "    | extend Role = iff(SrcIp == SelectedIp, \"Outbound\", \"Inbound\");\n";
  }
  if (selected_public) {
    // The selected address as a public peer: only rows whose lists mention it are expanded.
    q += "let SelectedPublic = PublicEndpointsOf(Flows\n"
         "        | where SrcPublicIps contains SelectedIp or DestPublicIps contains SelectedIp)\n"
         "    | where Ip == SelectedIp;\n";
  }
  if (conversations) q += kConversations;
  if (body.find("PublicIpInfo") != std::string_view::npos) q += kPublicIpInfo;
  q += body;
  q += '\n';
  return q;
}

}  // namespace flowlens::server
