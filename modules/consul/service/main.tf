# A catalog registration of a service on an existing (usually external) node.
resource "consul_service" "this" {
  name       = var.name
  node       = var.node
  address    = var.address
  port       = var.port
  tags       = var.tags
  meta       = var.meta
  datacenter = var.datacenter
}
