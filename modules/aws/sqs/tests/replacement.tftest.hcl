# Issue 18 finding 12: turning FIFO on or off replaces the queue (fifo_queue and the .fifo name
# force a new queue), which deletes every message in it. The module refuses that plan unless
# allow_replacement = true. (A rename removes the module call instead: the generated roots'
# plan check and DynamoDB deletion protection cover that, docs/design.md.)
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

run "created" {
  command = apply
}

run "unchanged_plans" {
  command = plan
  variables {
    visibility_timeout_seconds = 60
  }
}

run "refuses_a_fifo_toggle" {
  command = plan
  variables {
    fifo = true
  }
  expect_failures = [aws_sqs_queue.this]
}

run "fifo_toggle_when_acknowledged" {
  command = apply
  variables {
    fifo              = true
    allow_replacement = true
  }
  assert {
    condition     = aws_sqs_queue.this.name == "orders-events.fifo"
    error_message = "an acknowledged FIFO toggle replaces the queue"
  }
}

run "acknowledgement_withdrawn_after_the_toggle" {
  command = apply
  variables {
    fifo = true
  }
  assert {
    condition     = aws_sqs_queue.this.fifo_queue
    error_message = "after the toggle the new identity is the guarded one"
  }
}
