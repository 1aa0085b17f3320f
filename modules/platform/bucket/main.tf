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
  client_description = "Clients of bucket ${var.name}: no rules, access is IAM over AWS APIs"
  vpc_id             = var.vpc_id
  tags               = local.tags
}

module "s3" {
  source = "../../aws/s3"

  bucket_name     = var.bucket_name
  versioning      = var.versioning
  expiration_days = var.expiration_days
  tags            = local.tags
}
