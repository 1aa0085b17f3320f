locals {
  attributes = merge(
    { (var.hash_key) = var.hash_key_type },
    var.range_key == null ? {} : { (var.range_key) = var.range_key_type },
  )
  identity = jsonencode({ name = var.name, hash_key = var.hash_key, range_key = var.range_key, attributes = local.attributes })
}

# Replacement guard (issue 18 finding 12). A change of hash_key, range_key or a key's type forces a new table, which deletes
# every item in it. prevent_destroy cannot be set per caller (it must be a literal) and would also
# block every destroy, so the table's identity when it was created is kept in state
# (ignore_changes) and a plan that changes it fails a precondition unless allow_replacement is
# true; acknowledging replaces this record, so the new identity is the guarded one afterwards.
# Removing the module call (a rename or a removed datastore) is not seen here: docs/design.md.
resource "terraform_data" "replacement_guard" {
  input            = local.identity
  triggers_replace = var.allow_replacement ? local.identity : null

  lifecycle {
    ignore_changes = [input]
  }
}


resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_119:server-side encryption uses the AWS-managed key (aws/dynamodb) unless kms_key_arn is set; customer-managed keys are a per-account decision
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  deletion_protection_enabled = var.deletion_protection

  dynamic "attribute" {
    for_each = local.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = var.range_key == null || var.range_key != var.hash_key
      error_message = "range_key must differ from hash_key."
    }
    precondition {
      condition     = var.allow_replacement || terraform_data.replacement_guard.output == local.identity
      error_message = "this plan replaces table ${var.name} (its keys changed), which deletes every item in it: create a new table under another name and copy the items, then remove this one; or set allow_replacement = true."
    }
  }
}
