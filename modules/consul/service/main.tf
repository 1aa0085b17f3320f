# A catalog registration of a service on an existing (usually external) node.
resource "consul_service" "this" {
  name       = var.name
  node       = var.node
  address    = var.address
  port       = var.port
  tags       = var.tags
  meta       = var.meta
  datacenter = var.datacenter

  # consul-esm runs this TCP check for the external node (the endpoint accepts connections).
  # Without an address of its own the service uses the node's, which this module does not know.
  dynamic "check" {
    for_each = var.tcp_check && var.address != null ? [1] : []
    content {
      check_id                          = "service:${var.name}:tcp"
      name                              = "TCP ${var.address}:${var.port}"
      tcp                               = "${var.address}:${var.port}"
      interval                          = var.check_interval
      timeout                           = "5s"
      status                            = "passing"
      deregister_critical_service_after = "720h"
    }
  }
}
