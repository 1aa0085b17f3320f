output "security_group_id" {
  description = "Always null: a bucket has no security group of its own (it is reached over AWS APIs with IAM). Kept for a uniform interface."
  value       = null
}

output "client_security_group_id" {
  description = "Always null: nothing joins a group to reach a bucket (access is IAM over AWS APIs). Kept for a uniform datastore interface."
  value       = null
}

output "arn" {
  description = "ARN of the bucket."
  value       = module.s3.arn

  precondition {
    condition     = startswith(var.name, "${var.service}-")
    error_message = "name must start with \"<service>-\" (the owning service name followed by a hyphen)."
  }

  precondition {
    condition     = can(regex("^${var.name}-[0-9]{12}$", var.bucket_name))
    error_message = "bucket_name must be \"<name>-<12-digit account id>\"."
  }
}

output "bucket" {
  description = "Name of the bucket."
  value       = module.s3.bucket
}

output "tags" {
  description = "Tags the module puts on every resource: var.tags plus owner, service, environment and managed-by."
  value       = local.tags
}

output "connection_parameters" {
  description = "SSM parameter names (key -> name) that carry the connection values to the service's tasks."
  value       = { for k, p in aws_ssm_parameter.connection : k => p.name }
}
