// Process exit codes (design §2, a contract scripts rely on).
#pragma once

namespace flowlens {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // anything else went wrong
inline constexpr int kExitUsage = 2;    // bad arguments, missing paths
inline constexpr int kExitPartial = 3;  // some input rejected, everything else processed
inline constexpr int kExitQuery = 4;    // query error

}  // namespace flowlens
