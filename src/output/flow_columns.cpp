#include "output/flow_columns.h"

namespace flowlens {

const std::array<FlowColumn, kFlowColumnCount> kFlowColumns = {{
    {"FlowTime", "datetime", "tuple timestamp (VNet: epoch ms; NSG: epoch s)"},
    {"RecordTime", "datetime", "the record's `time`"},
    {"SrcIp", "string", "source (initiator) of the flow"},
    {"DestIp", "string", "destination of the flow"},
    {"SrcPort", "int", "source port"},
    {"DestPort", "int", "destination port"},
    {"Protocol", "int", "IANA protocol number (NSG T -> 6, U -> 17)"},
    {"L4Protocol", "string", "TCP, UDP, else the protocol number as text"},
    {"FlowDirection", "string", "Inbound / Outbound relative to the capturing NIC"},
    {"FlowState", "string", "B, C, E, D as logged; empty for NSG v1"},
    {"FlowStatus", "string", "Allowed / Denied"},
    {"FlowEncryption", "string", "VNet encryption code (X, NX, NX_...); empty for NSG"},
    {"PacketsSrcToDest", "long", "packets source -> destination since the flow's previous tuple"},
    {"BytesSrcToDest", "long", "bytes source -> destination since the flow's previous tuple"},
    {"PacketsDestToSrc", "long", "packets destination -> source since the flow's previous tuple"},
    {"BytesDestToSrc", "long", "bytes destination -> source since the flow's previous tuple"},
    {"MacAddress", "string", "capturing NIC, 12 upper-case hex digits"},
    {"AclId", "string", "VNet aclID; for NSG logs the NSG resource id"},
    {"AclRule", "string", "rule name as logged"},
    {"TargetResourceId", "string", "VNet targetResourceID; NSG: the NSG resource id"},
    {"FlowLogResourceId", "string", "VNet flowLogResourceID; empty for NSG"},
    {"FlowLogVersion", "int", "4 for VNet; 1 or 2 for NSG"},
    {"Source", "string", "file path or blob name the tuple came from"},
}};

}  // namespace flowlens
