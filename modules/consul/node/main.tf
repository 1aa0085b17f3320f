# An external node: an endpoint without a Consul agent (an RDS instance, an ElastiCache
# group, a load balancer). external-node makes consul-esm watch it; external-probe stays
# "false" because RDS, ElastiCache and load balancers never answer ICMP: an ICMP probe would
# mark the node critical and consul-esm would reap it. A service registered on the node may
# carry a TCP check consul-esm runs (modules/consul/service), where consul-esm can reach it.
resource "consul_node" "this" {
  name       = var.name
  address    = var.address
  datacenter = var.datacenter

  meta = merge(var.meta, {
    "external-node"  = "true"
    "external-probe" = "false"
  })
}
