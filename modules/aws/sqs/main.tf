locals {
  suffix     = var.fifo ? ".fifo" : ""
  queue_name = "${var.name}${local.suffix}"
  dlq_name   = "${var.name}-dlq${local.suffix}"
  sse_sqs    = var.kms_key_id == null
  identity   = jsonencode({ name = local.queue_name, fifo = var.fifo })
}

# Replacement guard (issue 18 finding 12). Turning FIFO on or off (fifo_queue, the .fifo name) forces a new queue, which deletes
# every message in it and in its dead-letter queue. prevent_destroy cannot be set per caller (it must be a literal) and would also
# block every destroy, so the queue's identity when it was created is kept in state
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


resource "aws_sqs_queue" "dead_letter" {
  #checkov:skip=CKV2_AWS_73:SSE-SQS (SQS-managed keys) unless kms_key_id is set; customer-managed keys are a per-account decision
  count = var.dead_letter_queue ? 1 : 0

  name                        = local.dlq_name
  fifo_queue                  = var.fifo ? true : null
  content_based_deduplication = var.fifo ? var.content_based_deduplication : null
  message_retention_seconds   = 1209600
  sqs_managed_sse_enabled     = local.sse_sqs ? true : null
  kms_master_key_id           = var.kms_key_id

  tags = merge(var.tags, { Name = local.dlq_name })
}

resource "aws_sqs_queue" "this" {
  #checkov:skip=CKV2_AWS_73:SSE-SQS (SQS-managed keys) unless kms_key_id is set; customer-managed keys are a per-account decision
  name                        = local.queue_name
  fifo_queue                  = var.fifo ? true : null
  content_based_deduplication = var.fifo ? var.content_based_deduplication : null
  visibility_timeout_seconds  = var.visibility_timeout_seconds
  message_retention_seconds   = var.message_retention_seconds
  sqs_managed_sse_enabled     = local.sse_sqs ? true : null
  kms_master_key_id           = var.kms_key_id

  tags = merge(var.tags, { Name = local.queue_name })

  lifecycle {
    precondition {
      condition     = var.fifo || !var.content_based_deduplication
      error_message = "content_based_deduplication requires fifo = true."
    }
    precondition {
      condition     = var.allow_replacement || terraform_data.replacement_guard.output == local.identity
      error_message = "this plan replaces queue ${var.name} (FIFO turned ${var.fifo ? "on" : "off"}), which deletes every message in it: create a new queue under another name, move producers and consumers, then remove this one; or set allow_replacement = true."
    }
  }
}

# A separate resource (not the queue's redrive_policy argument, which is Optional+Computed) so
# that turning dead_letter_queue off really removes the policy from the queue.
resource "aws_sqs_queue_redrive_policy" "this" {
  count = var.dead_letter_queue ? 1 : 0

  queue_url = aws_sqs_queue.this.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter[0].arn
    maxReceiveCount     = var.max_receive_count
  })
}

# Only the main queue may use the dead-letter queue as its redrive target.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  count = var.dead_letter_queue ? 1 : 0

  queue_url = aws_sqs_queue.dead_letter[0].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}
