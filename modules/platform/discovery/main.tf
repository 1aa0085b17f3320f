locals {
  datastores = { for d in var.datastores : d.name => d }
  # A worker or job serves no HTTP: no alias to register and nothing that may call it.
  registered = var.service.address != null

  meta = {
    "managed-by" = "infragen"
    service      = var.service.name
  }
}

# Each network datastore (RDS, ElastiCache) is an external node with one service on it, in the
# catalog for its address and port only: no health check. A TCP check would be run by
# consul-esm, which is in no datastore's -clients group (the datastore's group admits nothing
# else), so every entry would stay critical (issue 18 finding 9). A datastore's health is
# watched by its CloudWatch alarms instead (docs/design.md, "Consul external nodes").
module "datastore_node" {
  source   = "../../consul/node"
  for_each = local.datastores

  name       = each.key
  address    = each.value.address
  datacenter = var.datacenter
  meta       = merge(local.meta, { type = each.value.type })
}

module "datastore_service" {
  source   = "../../consul/service"
  for_each = local.datastores

  name       = each.key
  node       = module.datastore_node[each.key].name
  address    = each.value.address
  port       = each.value.port
  tags       = [each.value.type]
  meta       = merge(local.meta, { type = each.value.type, health = "cloudwatch-alarms" })
  datacenter = var.datacenter
  tcp_check  = false
}

# The service itself, at its ECS Service Connect client alias (internal hostname, port 80). That
# name resolves and routes only inside the tasks of the namespace's services, so the registration
# has no TCP check: consul-esm runs outside them and would mark it critical and reap it. A worker
# or job has no alias, so it is not registered: an entry at a name that resolves nowhere would
# send whoever looks it up to nothing.
module "service_node" {
  source = "../../consul/node"
  count  = local.registered ? 1 : 0

  name       = var.service.name
  address    = var.service.address
  datacenter = var.datacenter
  meta       = local.meta
}

module "service" {
  source = "../../consul/service"
  count  = local.registered ? 1 : 0

  name       = var.service.name
  node       = module.service_node[0].name
  address    = var.service.address
  port       = var.service.port
  tags       = var.service.tags
  meta       = merge(local.meta, { reachable-from = "ecs-service-connect" })
  datacenter = var.datacenter
  tcp_check  = false
}

# Only the declared dependents may call the service; everything else is denied. Nothing may
# call a worker or job (the spec refuses a dependency on one), and it is not registered.
module "intentions" {
  source = "../../consul/intentions"
  count  = local.registered ? 1 : 0

  destination     = var.service.name
  allowed_sources = var.allowed_sources
  meta            = local.meta
}

# The registrations were single module calls before workers and jobs skipped them: the same
# objects, no re-registration.
moved {
  from = module.service_node
  to   = module.service_node[0]
}

moved {
  from = module.service
  to   = module.service[0]
}

moved {
  from = module.intentions
  to   = module.intentions[0]
}
