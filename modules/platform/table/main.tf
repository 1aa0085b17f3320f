locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

# Reached over AWS APIs: access is IAM only (the task role's policy names the table), so there is
# no security group at all. A rule-less <name>-clients group would only take one of the 5 groups of
# a dependent's task ENI; dependents join none (generator/plan.py NETWORK_TYPES).
module "dynamodb" {
  source = "../../aws/dynamodb"

  name                = var.name
  hash_key            = var.hash_key
  hash_key_type       = var.hash_key_type
  range_key           = var.range_key
  range_key_type      = var.range_key_type
  deletion_protection = var.production
  allow_replacement   = var.allow_replacement
  tags                = local.tags
}
