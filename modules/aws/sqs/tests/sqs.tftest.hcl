mock_provider "aws" {
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:mock"
    }
  }
}

variables {
  name = "orders-events"
  tags = { owner = "team-a" }
}

run "standard_queue_with_dlq" {
  command = apply

  assert {
    condition     = aws_sqs_queue.this.name == "orders-events" && aws_sqs_queue.dead_letter[0].name == "orders-events-dlq"
    error_message = "queue must be <name> and the DLQ <name>-dlq"
  }

  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled && aws_sqs_queue.dead_letter[0].sqs_managed_sse_enabled
    error_message = "both queues must use SSE-SQS"
  }

  assert {
    condition     = aws_sqs_queue_redrive_policy.this[0].queue_url == aws_sqs_queue.this.id && jsondecode(aws_sqs_queue_redrive_policy.this[0].redrive_policy).maxReceiveCount == 5 && jsondecode(aws_sqs_queue_redrive_policy.this[0].redrive_policy).deadLetterTargetArn == aws_sqs_queue.dead_letter[0].arn
    error_message = "the redrive policy must send to the DLQ after 5 receives"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.dead_letter[0].redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.this.arn]
    error_message = "only the main queue may use the DLQ"
  }

  assert {
    condition     = aws_sqs_queue.dead_letter[0].message_retention_seconds == 1209600 && aws_sqs_queue.this.message_retention_seconds == 345600
    error_message = "the DLQ must keep messages 14 days and the queue 4 days by default"
  }

  assert {
    condition     = aws_sqs_queue.this.tags == tomap({ owner = "team-a", Name = "orders-events" })
    error_message = "tags must be var.tags plus Name"
  }

  assert {
    condition     = output.dlq_arn == aws_sqs_queue.dead_letter[0].arn
    error_message = "dlq_arn must be the DLQ's ARN"
  }
}

run "fifo_without_dlq" {
  command = apply

  variables {
    fifo                        = true
    content_based_deduplication = true
    dead_letter_queue           = false
    # runs of a file share one state: this replaces the previous run's standard queue
    allow_replacement = true
  }

  assert {
    condition     = aws_sqs_queue.this.name == "orders-events.fifo" && aws_sqs_queue.this.fifo_queue
    error_message = "a FIFO queue must be named <name>.fifo"
  }

  assert {
    condition     = length(aws_sqs_queue.dead_letter) == 0 && length(aws_sqs_queue_redrive_policy.this) == 0 && output.dlq_arn == null
    error_message = "no DLQ and no redrive policy when dead_letter_queue = false"
  }
}

run "fifo_dlq_is_fifo" {
  command = plan

  variables {
    fifo              = true
    allow_replacement = true
  }

  assert {
    condition     = aws_sqs_queue.dead_letter[0].name == "orders-events-dlq.fifo" && aws_sqs_queue.dead_letter[0].fifo_queue
    error_message = "a FIFO queue's DLQ must be FIFO too"
  }
}

run "rejects_dedup_without_fifo" {
  command = plan
  variables {
    content_based_deduplication = true
  }
  expect_failures = [aws_sqs_queue.this]
}

run "rejects_long_retention" {
  command = plan
  variables {
    message_retention_seconds = 1209601
  }
  expect_failures = [var.message_retention_seconds]
}

run "rejects_zero_receives" {
  command = plan
  variables {
    max_receive_count = 0
  }
  expect_failures = [var.max_receive_count]
}

run "rejects_long_visibility" {
  command = plan
  variables {
    visibility_timeout_seconds = 43201
  }
  expect_failures = [var.visibility_timeout_seconds]
}
