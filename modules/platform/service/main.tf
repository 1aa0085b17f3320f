locals {
  tags = merge(var.tags, {
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  })

  # Who may reach the tasks, on the HTTP port only: the load balancers and the service's
  # own -clients group (joined by the services that declare it as a dependency).
  tasks_ingress_rules = merge(
    {
      internal_lb = {
        description              = "HTTP ${var.port} from the internal load balancer"
        from_port                = var.port
        to_port                  = var.port
        source_security_group_id = var.internal_lb.security_group_id
      }
      clients = {
        description              = "HTTP ${var.port} from ${var.name}-clients"
        from_port                = var.port
        to_port                  = var.port
        source_security_group_id = module.client_security_group.id
      }
    },
    var.external == null ? {} : {
      external_lb = {
        description              = "HTTP ${var.port} from the external load balancer"
        from_port                = var.port
        to_port                  = var.port
        source_security_group_id = var.external.security_group_id
      }
    },
  )
}

# The tasks' own group. Its only egress, HTTPS for the AWS APIs Fargate needs, is added by
# aws/ecs-service; dependencies are reached through their -clients groups.
module "security_group" {
  source = "../../aws/security-group"

  name          = var.name
  description   = "ECS tasks of ${var.name}: HTTP ${var.port} from its load balancers and ${var.name}-clients"
  vpc_id        = var.vpc_id
  ingress_rules = local.tasks_ingress_rules
  tags          = local.tags
}

# Joined by every service that depends on this one: egress to the tasks on the HTTP port.
module "client_security_group" {
  source = "../../aws/security-group"

  name        = "${var.name}-clients"
  description = "Clients of service ${var.name}: egress to its tasks on ${var.port}"
  vpc_id      = var.vpc_id
  tags        = local.tags

  egress_rules = {
    service = {
      description                   = "HTTP ${var.port} to ${var.name}"
      from_port                     = var.port
      to_port                       = var.port
      destination_security_group_id = module.security_group.id
    }
  }
}

module "ecs_service" {
  source = "../../aws/ecs-service"

  name          = var.name
  cluster_arn   = var.cluster_arn
  image         = var.image
  cpu           = var.cpu
  memory_mb     = var.memory_mb
  port          = var.port
  metrics_port  = var.metrics_port
  desired_count = var.desired_count
  autoscaling   = var.autoscaling

  health_check_path     = var.health_check_path
  environment_variables = var.environment_variables
  secrets               = var.secrets
  secret_arns           = var.secret_arns
  ssm_parameter_arns    = var.ssm_parameter_arns
  queue_arns            = var.queue_arns
  table_arns            = var.table_arns
  bucket_arns           = var.bucket_arns

  vpc_id                         = var.vpc_id
  subnet_ids                     = var.subnet_ids
  security_group_ids             = concat([module.security_group.id], var.client_security_group_ids)
  enable_https_egress            = true
  https_egress_security_group_id = module.security_group.id

  listener_arn           = var.internal_listener_arn
  listener_rule_priority = var.listener_rule_priority
  host_header            = var.internal_hostname
  external_listener = var.external == null ? null : {
    listener_arn = var.external.listener_arn
    host_header  = var.external.domain
    priority     = var.external.listener_rule_priority
  }

  log_retention_days     = var.log_retention_days
  retain_logs_on_destroy = var.production
  tags                   = local.tags
}

module "internal_record" {
  source = "../../aws/route53-record"

  zone_id = var.internal_zone_id
  name    = var.internal_hostname
  type    = "A"
  alias = {
    name    = var.internal_lb.dns_name
    zone_id = var.internal_lb.zone_id
  }
}

module "external_record" {
  source = "../../aws/route53-record"
  count  = var.external == null ? 0 : 1

  zone_id = var.external.public_zone_id
  name    = var.external.domain
  type    = "A"
  alias = {
    name    = var.external.dns_name
    zone_id = var.external.zone_id
  }
}
