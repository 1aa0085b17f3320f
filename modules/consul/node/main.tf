# An external node: an endpoint without a Consul agent (an RDS instance, an ElastiCache
# group, a load balancer). The external-node/external-probe meta lets consul-esm probe it.
resource "consul_node" "this" {
  name       = var.name
  address    = var.address
  datacenter = var.datacenter

  meta = merge(var.meta, {
    "external-node"  = "true"
    "external-probe" = "true"
  })
}
