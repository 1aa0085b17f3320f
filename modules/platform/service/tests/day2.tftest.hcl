# Day 2 (issue 19): switching a workload between kind = "service" and kind = "worker" in one state.
# Runs share the state, and the mock provider invents new ids only when it creates an object, so an
# id that survives a run proves the object was updated in place, not replaced. The security groups
# need well-formed ids (aws/ecs-service validates them), so theirs are fixed by overrides: what
# keeps the tasks' group is that none of its arguments depends on the kind (name, VPC, and a
# description that never changes in place).
mock_provider "aws" {
  mock_resource "aws_ecs_task_definition" {
    defaults = {
      arn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/orders:1"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::111122223333:role/mock"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders"
    }
  }
}

override_resource {
  target = module.client_access.aws_security_group.this
  values = { id = "sg-0aaaaaaaaaaaaaaa1" }
}

override_resource {
  target = module.client_access.aws_security_group.clients
  values = { id = "sg-0ccccccccccccccc1" }
}

variables {
  name        = "orders"
  service     = "orders"
  owner       = "team-orders"
  environment = "prod"
  production  = true
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0123456789abcdef0"]

  image         = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders:bootstrap"
  cpu           = 512
  memory_mb     = 1024
  desired_count = 2

  cluster_arn                   = "arn:aws:ecs:eu-west-1:111122223333:cluster/main"
  service_connect_namespace_arn = "arn:aws:servicediscovery:eu-west-1:111122223333:namespace/ns-0123456789abcdef"
  internal_hostname             = "orders-internal.prod.example.com"
}

run "as_service" {
  command = apply

  assert {
    condition     = output.client_security_group_id != null
    error_message = "a service has its -clients group"
  }
}

run "as_worker" {
  command = apply

  variables {
    kind                 = "worker"
    internal_hostname    = null
    health_check_command = ["CMD-SHELL", "find /tmp/healthy -mmin -1 | grep -q ."]
  }

  assert {
    condition = alltrue([
      output.service_arn == run.as_service.service_arn,
      output.repository_arn == run.as_service.repository_arn,
      output.log_group_name == run.as_service.log_group_name,
      output.task_role_arn == run.as_service.task_role_arn,
    ])
    error_message = "service -> worker keeps the ECS service, the ECR repository, the logs and the task role"
  }

  assert {
    condition     = output.client_security_group_id == null
    error_message = "the worker's -clients group is gone (nothing may have joined it: callers of a worker are refused)"
  }
}

run "back_to_service" {
  command = apply

  assert {
    condition = alltrue([
      output.service_arn == run.as_service.service_arn,
      output.client_security_group_id != null,
    ])
    error_message = "worker -> service keeps the ECS service and adds a -clients group"
  }
}
