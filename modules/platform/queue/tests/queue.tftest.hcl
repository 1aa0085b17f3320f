mock_provider "aws" {}

variables {
  service     = "orders"
  owner       = "team-a"
  environment = "staging"
  production  = false
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0a", "subnet-0b"]
  tags        = { cost-center = "cc-42", owner = "someone-else" }
  name        = "orders-events"
}

run "standard_queue" {
  command = apply

  assert {
    condition     = output.security_group_id == null && output.client_security_group_id == null
    error_message = "no security groups at all: access is IAM only"
  }

  assert {
    condition     = output.tags == tomap({ cost-center = "cc-42", owner = "team-a", service = "orders", environment = "staging", managed-by = "infragen" })
    error_message = "tags must be var.tags plus owner, service, environment and managed-by, which win over var.tags"
  }

  assert {
    condition     = module.sqs.name == "orders-events" && output.arn == module.sqs.arn && output.url == module.sqs.url
    error_message = "the queue must be <name> and its url/arn passed through"
  }

  assert {
    condition     = output.dlq_arn != null
    error_message = "a dead-letter queue is the default"
  }
}

run "fifo_without_dlq" {
  command = apply

  variables {
    fifo              = true
    dead_letter_queue = false
    allow_replacement = true # runs of a file share one state: this replaces the previous run's queue
  }

  assert {
    condition     = module.sqs.name == "orders-events.fifo" && output.dlq_arn == null
    error_message = "a FIFO queue is <name>.fifo, and dlq_arn is null without DLQ"
  }
}

run "rejects_zero_receives" {
  command = plan
  variables {
    max_receive_count = 0
  }
  expect_failures = [var.max_receive_count]
}

run "rejects_name_without_service_prefix" {
  command = plan
  variables {
    name = "billing-events"
  }
  expect_failures = [output.arn]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "orders--events"
  }
  expect_failures = [var.name]
}

run "rejects_bad_environment" {
  command = plan
  variables {
    environment = "Prod"
  }
  expect_failures = [var.environment]
}

run "rejects_bad_vpc_id" {
  command = plan
  variables {
    vpc_id = "vpc_0123"
  }
  expect_failures = [var.vpc_id]
}
