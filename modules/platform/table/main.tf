locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

# Reached over AWS APIs (access is IAM), so there is no datastore group (port = null). The
# -clients group has no rules; it exists so that every datastore has the same interface and
# dependents can join it.
module "client_access" {
  source = "../../aws/client-access"

  name               = var.name
  client_description = "Clients of table ${var.name}: no rules, access is IAM over AWS APIs"
  vpc_id             = var.vpc_id
  tags               = local.tags
}

module "dynamodb" {
  source = "../../aws/dynamodb"

  name                = var.name
  hash_key            = var.hash_key
  hash_key_type       = var.hash_key_type
  range_key           = var.range_key
  range_key_type      = var.range_key_type
  deletion_protection = var.production
  tags                = local.tags
}
