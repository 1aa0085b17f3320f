locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))
}

# Reached over AWS APIs: access is IAM only (the task role's policy names the bucket), so there is
# no security group at all. A rule-less <name>-clients group would only take one of the 5 groups of
# a dependent's task ENI; dependents join none (generator/plan.py NETWORK_TYPES).
module "s3" {
  source = "../../aws/s3"

  bucket_name     = var.bucket_name
  versioning      = var.versioning
  expiration_days = var.expiration_days
  tags            = local.tags
}
