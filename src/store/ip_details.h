// NTAIpDetails, one row per public address per interval (design §3.3), is not stored: every
// address it lists is already in the SrcPublicIps / DestPublicIps lists of that interval's
// NTANetAnalytics rows. Deriving it when read costs little (the lists are read anyway, one
// interval at a time), saves about a byte per tuple on disk and the ingest time to write it,
// and keeps the two tables consistent by construction. When enrichment lands, its Location,
// PublicIpDetails and threat columns are filled the same way, from the current geo-IP and
// threat data.
#pragma once

#include "store/row_batch.h"

namespace flowlens::store {

// Appends to `out` (an NTAIpDetails builder) the rows of the public addresses in the merged
// NTANetAnalytics rows of `analytics`: one per (interval, FlowType, address), ordered so,
// with TimeGenerated the latest of the rows that mention the address.
void derive_ip_details(const RowBatch& analytics, RowBatchBuilder& out);

}  // namespace flowlens::store
