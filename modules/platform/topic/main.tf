locals {
  tags = merge(var.tags, tomap({
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  }))

  topic_name = var.fifo ? "${var.name}.fifo" : var.name
  own_key    = var.encryption == "own"
}

data "aws_partition" "current" {}
data "aws_region" "current" {}

# Reached over AWS APIs: publishers get sns:Publish on this topic from their task role (the
# declared dependency), subscribers' queues subscribe from their own roots. No security group.

# encryption = "own": a customer managed key that principals of this account may use only
# through SNS in this region (the rule of the AWS managed alias/aws/sns key), so publishers need
# no KMS grant of their own and nothing outside SNS can decrypt with it. A key policy's Resource
# "*" is the key itself; the account root administers it (AWS's default key policy).
locals {
  key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${var.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AccountUsesThroughSns"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:CallerAccount" = var.account_id
            "kms:ViaService"    = "sns.${data.aws_region.current.name}.amazonaws.com"
          }
        }
      },
    ]
  })
}

resource "aws_kms_key" "this" {
  count = local.own_key ? 1 : 0

  description             = "Encrypts SNS topic ${local.topic_name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = local.key_policy
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  count = local.own_key ? 1 : 0

  name          = "alias/${var.name}-topic"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_sns_topic" "this" {
  name                        = local.topic_name
  fifo_topic                  = var.fifo ? true : null
  content_based_deduplication = var.fifo ? var.content_based_deduplication : null
  kms_master_key_id           = local.own_key ? aws_kms_key.this[0].arn : "alias/aws/sns"

  tags = merge(local.tags, { Name = local.topic_name })

  lifecycle {
    precondition {
      condition     = var.fifo || !var.content_based_deduplication
      error_message = "content_based_deduplication requires fifo = true."
    }
  }
}
