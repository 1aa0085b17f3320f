locals {
  tags = merge(var.tags, {
    owner       = var.owner
    service     = var.service
    environment = var.environment
    managed-by  = "infragen"
  })

  # Who else may reach the tasks, on the HTTP port only: the external load balancer, when the
  # service is exposed. The service's own -clients group (joined by the services that declare it
  # as a dependency) is admitted by aws/client-access. No shared internal load balancer: other
  # services reach the tasks through Service Connect, from their own ENIs, so the -clients group
  # is the only path between services.
  worker      = var.kind == "worker"
  job         = var.kind == "job"
  serves_http = var.kind == "service"

  load_balancer_ingress_rules = var.external == null ? {} : {
    external_lb = {
      description              = "HTTP from the external load balancer"
      source_security_group_id = var.external.security_group_id
    }
  }
}

# The tasks' own group <name> and <name>-clients, whose only egress is to the tasks on the HTTP
# port. The tasks' only egress, HTTPS for the AWS APIs Fargate needs, is added by
# aws/ecs-service; dependencies are reached through their -clients groups.
module "client_access" {
  source = "../../aws/client-access"

  name = var.name
  # Group descriptions cannot change in place: they name no port, so a port change only
  # replaces rules, never a group that tasks are attached to.
  description         = "ECS tasks of ${var.name}: HTTP from its load balancers and ${var.name}-clients"
  client_description  = "Clients of service ${var.name}: egress to its tasks"
  rule_label          = "HTTP"
  port                = var.port
  extra_ingress_rules = local.load_balancer_ingress_rules
  # Nothing may call a worker or a job: no <name>-clients group, so its tasks admit nothing.
  clients = local.serves_http
  vpc_id  = var.vpc_id
  tags    = local.tags
}

# While the HTTP port changes (previous_port set), the tasks still running on the previous port
# stay reachable: the same sources are admitted on it and the -clients group may still reach it.
# The ECS service keeps the previous port in its load balancer configuration until
# `infragen deploy` sends the new task definition and the new load balancer port in one
# UpdateService (aws/ecs-service previous_port; docs/deploying.md, Changing the port).
locals {
  previous_port_ingress = var.previous_port == null ? {} : merge(
    { for k, r in local.load_balancer_ingress_rules : k => { description = "${r.description} (previous port)", source_security_group_id = r.source_security_group_id } },
    { clients = { description = "HTTP from ${var.name}-clients (previous port)", source_security_group_id = module.client_access.client_security_group_id } },
  )
}

# The previous port's rules replace client_access's rules of that port (which move to the new
# port) under new addresses. AWS refuses a second identical rule (InvalidPermission.Duplicate), so
# they are created only after client_access has replaced its own (depends_on): for the second or
# two between the two calls, new connections on the previous port can be refused; established
# ones continue (security groups are stateful).
resource "aws_security_group_rule" "previous_port_ingress" {
  for_each = local.previous_port_ingress

  depends_on = [module.client_access]

  type                     = "ingress"
  security_group_id        = module.client_access.security_group_id
  description              = each.value.description
  from_port                = var.previous_port
  to_port                  = var.previous_port
  protocol                 = "tcp"
  source_security_group_id = each.value.source_security_group_id
}

resource "aws_security_group_rule" "previous_port_clients_egress" {
  count = var.previous_port == null ? 0 : 1

  depends_on = [module.client_access]

  type                     = "egress"
  security_group_id        = module.client_access.client_security_group_id
  description              = "HTTP to ${var.name} (previous port)"
  from_port                = var.previous_port
  to_port                  = var.previous_port
  protocol                 = "tcp"
  source_security_group_id = module.client_access.security_group_id
}

module "ecs_service" {
  source = "../../aws/ecs-service"

  name          = var.name
  cluster_arn   = var.cluster_arn
  image         = var.image
  cpu           = var.cpu
  memory_mb     = var.memory_mb
  port          = var.port
  previous_port = var.previous_port
  metrics_port  = var.metrics_port
  desired_count = coalesce(var.desired_count, 0)
  autoscaling   = var.autoscaling
  schedule      = local.job ? { expression = var.schedule.expression, timezone = var.schedule.timezone, retries = var.schedule.retries } : null

  health_check_path     = var.health_check_path
  health_check          = var.health_check
  serve_http            = local.serves_http
  health_check_command  = var.health_check_command
  environment_variables = var.environment_variables
  secrets               = var.secrets
  secret_arns           = var.secret_arns
  ssm_parameter_arns    = var.ssm_parameter_arns
  secret_kms_key_arns   = var.secret_kms_key_arns
  dependency_access     = var.dependency_access

  enable_execute_command = var.enable_execute_command
  ecr_force_delete       = !var.production
  max_security_groups    = var.max_security_groups

  container_definitions_json = var.container_definitions

  vpc_id                         = var.vpc_id
  subnet_ids                     = var.subnet_ids
  security_group_ids             = concat([module.client_access.security_group_id], var.client_security_group_ids)
  enable_https_egress            = true
  https_egress_security_group_id = module.client_access.security_group_id
  https_egress_cidr_blocks       = var.https_egress_cidr_blocks
  https_egress_prefix_list_ids   = var.https_egress_prefix_list_ids

  # A worker or job passes no dns_name: it is a Service Connect client only.
  service_connect = {
    namespace_arn = var.service_connect_namespace_arn
    dns_name      = var.internal_hostname
    port          = 80
  }
  external_listener = var.external == null ? null : {
    listener_arn  = var.external.listener_arn
    host_header   = var.external.domain
    priority      = var.external.listener_rule_priority
    path_patterns = var.external.paths
    http_headers  = var.external.headers
  }

  log_retention_days     = var.log_retention_days
  retain_logs_on_destroy = var.production
  deployment_alarm_names = local.deployment_alarm_names
  tags                   = local.tags
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
