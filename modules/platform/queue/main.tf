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
  client_description = "Clients of queue ${var.name}: no rules, access is IAM over AWS APIs"
  vpc_id             = var.vpc_id
  tags               = local.tags
}

module "sqs" {
  source = "../../aws/sqs"

  name                       = var.name
  fifo                       = var.fifo
  dead_letter_queue          = var.dead_letter_queue
  max_receive_count          = var.max_receive_count
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  tags                       = local.tags
}
