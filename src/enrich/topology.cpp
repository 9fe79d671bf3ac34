#include "enrich/topology.h"

#include <iterator>

namespace flowlens::enrich {

namespace {
template <typename T>
void append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}
}  // namespace

void Topology::merge(Topology other) {
  append(subscriptions, other.subscriptions);
  append(vnets, other.vnets);
  append(nics, other.nics);
  append(nsgs, other.nsgs);
  append(peerings, other.peerings);
  append(gateways, other.gateways);
  append(sites, other.sites);
  append(connections, other.connections);
}

}  // namespace flowlens::enrich
