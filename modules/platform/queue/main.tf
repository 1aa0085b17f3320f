locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

# Reached over AWS APIs: access is IAM only (the task role's policy names the queue), so there is
# no security group at all. A rule-less <name>-clients group would only take one of the 5 groups of
# a dependent's task ENI; dependents join none (generator/plan.py NETWORK_TYPES).
module "sqs" {
  source = "../../aws/sqs"

  name                       = var.name
  fifo                       = var.fifo
  dead_letter_queue          = var.dead_letter_queue
  max_receive_count          = var.max_receive_count
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  allow_replacement          = var.allow_replacement
  tags                       = local.tags
}
