# --- Common platform inputs ---

variable "name" {
  description = "Service name, DNS-safe; the name and name prefix of every resource (ECS service, roles, log group, target group, security groups <name> and <name>-clients)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{1,30}[a-z0-9]$: 3 to 32 characters, lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "service" {
  description = "Owning service name (for a service module, the service itself); recorded in the service tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.service))
    error_message = "service must match ^[a-z][a-z0-9-]{1,30}[a-z0-9]$."
  }
}

variable "owner" {
  description = "Owning team (a teams.yaml key); recorded in the owner tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.owner))
    error_message = "owner must match ^[a-z][a-z0-9-]{0,38}[a-z0-9]$."
  }
}

variable "environment" {
  description = "Environment (account) name; recorded in the environment tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must match ^[a-z][a-z0-9]{1,15}$."
  }
}

variable "production" {
  description = "Production account. Here it keeps the log group when the service is destroyed (skip_destroy)."
  type        = bool
}

variable "vpc_id" {
  description = "VPC of the security groups and the target group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id (vpc-xxxxxxxx)."
  }
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must be a non-empty list of subnet ids (subnet-xxxxxxxx)."
  }
}

variable "tags" {
  description = "Extra tags. The module adds owner, service, environment and managed-by = infragen, which take precedence."
  type        = map(string)
  default     = {}
}

# --- Container ---

variable "image" {
  description = "Full image URI of the bootstrap task definition in the service's ECR repository (<account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>); the module creates that repository. Deploys change the image outside Terraform."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/:@-]{0,254}$", var.image))
    error_message = "image must match ^[a-z0-9][a-z0-9._/:@-]{0,254}$."
  }
}

variable "port" {
  description = "HTTP port of the container; the load balancers and the -clients group reach the tasks on it."
  type        = number
  default     = 8080

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number between 1 and 65535."
  }
}

variable "previous_port" {
  description = "Only while the HTTP port changes: the port the running tasks still listen on. Both ports are admitted (load balancer, -clients) and the ECS service's load balancer keeps this port until `infragen deploy` moves it to port together with the new task definition; then remove it. null otherwise."
  type        = number
  default     = null

  validation {
    condition     = var.previous_port == null || try(var.previous_port >= 1 && var.previous_port <= 65535 && floor(var.previous_port) == var.previous_port && var.previous_port != var.port && var.previous_port != var.metrics_port, false)
    error_message = "previous_port must be null or a whole number between 1 and 65535 other than port and metrics_port."
  }
}

variable "kind" {
  description = "Workload kind: \"service\" serves HTTP on port (health_check_path, the Service Connect alias internal_hostname, optional external ingress); \"worker\" serves nothing: no HTTP port mapping, alias, target group, ingress or HTTP alarms, and its health is health_check_command; \"job\" runs one task per schedule (EventBridge Scheduler to ECS RunTask) and has no ECS service, alias, ingress or health check."
  type        = string
  default     = "service"
  nullable    = false

  validation {
    condition     = contains(["service", "worker", "job"], var.kind)
    error_message = "kind must be \"service\", \"worker\" or \"job\"."
  }
}

variable "health_check_command" {
  description = "kind = \"worker\": the container health check command (ECS healthCheck.command, [\"CMD-SHELL\", <command>] or [\"CMD\", <program>, <args>...]); infragen's convention is [\"CMD-SHELL\", \"find /tmp/healthy -mmin -1 | grep -q .\"]. Must be empty for a service."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.health_check_command) == 0 || (contains(["CMD", "CMD-SHELL"], try(var.health_check_command[0], "")) && length(var.health_check_command) >= 2 && alltrue([for c in var.health_check_command : length(c) > 0]))
    error_message = "health_check_command must be empty or [\"CMD\", <program>, <args>...] / [\"CMD-SHELL\", <command>] with non-empty strings."
  }
}

variable "health_check_path" {
  description = "Path of the load balancer health check."
  type        = string
  default     = "/health"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/?&=%-]{0,254}$", var.health_check_path))
    error_message = "health_check_path must match ^/[A-Za-z0-9._~/?&=%-]{0,254}$."
  }
}

variable "health_check" {
  description = "Load balancer health check settings of a service (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html): interval_seconds 5-300, timeout_seconds 2-120 and less than the interval, healthy_threshold and unhealthy_threshold 2-10, matcher HTTP codes 200-499 (\"200\", \"200,202\", \"200-299\"). Unset attributes take modules/aws/ecs-service's defaults (15 s, 5 s, 2, 3, \"200-299\"), which also judge the timeout against the interval."
  type = object({
    interval_seconds    = optional(number)
    timeout_seconds     = optional(number)
    healthy_threshold   = optional(number)
    unhealthy_threshold = optional(number)
    matcher             = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition = (
      try(var.health_check.interval_seconds >= 5 && var.health_check.interval_seconds <= 300, true) &&
      try(var.health_check.timeout_seconds >= 2 && var.health_check.timeout_seconds <= 120, true) &&
      alltrue([for n in [var.health_check.healthy_threshold, var.health_check.unhealthy_threshold] : try(n >= 2 && n <= 10, true)])
    )
    error_message = "health_check.interval_seconds must be 5-300, timeout_seconds 2-120, healthy_threshold and unhealthy_threshold 2-10."
  }

  validation {
    condition     = var.health_check.matcher == null || can(regex("^[0-9]{3}(-[0-9]{3}|(,[0-9]{3})*)$", var.health_check.matcher))
    error_message = "health_check.matcher must be HTTP codes: one (\"200\"), a list (\"200,202\") or a range (\"200-299\")."
  }
}

variable "metrics_port" {
  description = "OpenMetrics port of the container (mapped in the task definition, not opened in any security group)."
  type        = number
  default     = 9090

  validation {
    condition     = var.metrics_port >= 1 && var.metrics_port <= 65535 && floor(var.metrics_port) == var.metrics_port
    error_message = "metrics_port must be a whole number between 1 and 65535."
  }
}

variable "cpu" {
  description = "Fargate CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384 (a valid pair with memory_mb)."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "memory_mb" {
  description = "Fargate memory in MiB; must form a valid Fargate pair with cpu (checked in aws/ecs-service)."
  type        = number

  validation {
    condition     = var.memory_mb >= 512 && var.memory_mb <= 122880 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MiB between 512 and 122880."
  }
}

variable "desired_count" {
  description = "Number of tasks; with autoscaling the initial count, between autoscaling.min and autoscaling.max. Required for a service or worker; null for a job (one task per run)."
  type        = number
  default     = null

  validation {
    condition     = var.desired_count == null || try(var.desired_count >= 0 && floor(var.desired_count) == var.desired_count, false)
    error_message = "desired_count must be a whole number >= 0."
  }
}

variable "schedule" {
  description = "kind = \"job\": when EventBridge Scheduler runs the task: expression (cron(...) or rate(...)), timezone (IANA), retries of a failed RunTask call (0-185), and timeout_seconds (60-86400) or null: a run whose task still reports metrics after it pages the owner team (alarm key overrun; needs container_insights). Null for a service or worker."
  type = object({
    expression      = string
    timezone        = string
    retries         = number
    timeout_seconds = optional(number)
  })
  default = null

  validation {
    condition     = try(var.schedule.timeout_seconds == null || (var.schedule.timeout_seconds >= 60 && var.schedule.timeout_seconds <= 86400 && floor(var.schedule.timeout_seconds) == var.schedule.timeout_seconds), true)
    error_message = "schedule.timeout_seconds must be null or a whole number of seconds from 60 to 86400 (a CloudWatch alarm evaluates at most one day)."
  }
}

variable "autoscaling" {
  description = "Target-tracking autoscaling or null: resource \"cpu\" or \"memory\" with a target utilisation percent (1-100), or (kind = \"worker\") \"queue\" with queue_name, the SQS queue whose visible messages per running task should stay at target (the cluster needs Container Insights); task count bounds min and max (1 <= min <= max)."
  type = object({
    resource   = string
    target     = number
    min        = number
    max        = number
    queue_name = optional(string)
  })
  default = null

  validation {
    condition     = var.autoscaling == null || try(contains(["cpu", "memory", "queue"], var.autoscaling.resource), false)
    error_message = "autoscaling.resource must be \"cpu\", \"memory\" or \"queue\"."
  }

  validation {
    condition     = var.autoscaling == null || try(var.autoscaling.resource == "queue" ? var.autoscaling.target >= 1 : var.autoscaling.target >= 1 && var.autoscaling.target <= 100, false)
    error_message = "autoscaling.target must be a utilisation percentage between 1 and 100 (cpu, memory), or at least 1 message per task (queue)."
  }

  validation {
    condition     = var.autoscaling == null || try((var.autoscaling.resource == "queue") == (var.autoscaling.queue_name != null), false)
    error_message = "autoscaling.queue_name is required with resource \"queue\" and only allowed with it."
  }

  validation {
    condition     = var.autoscaling == null || try(var.autoscaling.min >= 1 && var.autoscaling.min <= var.autoscaling.max && floor(var.autoscaling.min) == var.autoscaling.min && floor(var.autoscaling.max) == var.autoscaling.max, false)
    error_message = "autoscaling.min and autoscaling.max must be whole numbers with 1 <= min <= max."
  }
}

variable "environment_variables" {
  description = "Plain environment variables of the container (name -> value)."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret environment variables (name -> valueFrom: a Secrets Manager ARN, optionally with :field::, or an SSM parameter ARN); each must be covered by secret_arns or ssm_parameter_arns."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "Secrets Manager secret ARNs the execution role may read, exactly these."
  type        = list(string)
  default     = []
}

variable "ssm_parameter_arns" {
  description = "SSM parameter ARNs the execution role may read, exactly these."
  type        = list(string)
  default     = []
}

variable "secret_kms_key_arns" {
  description = "Customer managed KMS keys of the secrets (spec secrets' kmsKey): the execution role may decrypt with them via Secrets Manager and SSM only."
  type        = list(string)
  default     = []
  nullable    = false
}

# --- Cluster, load balancers and DNS ---

variable "cluster_arn" {
  description = "ARN of the account's ECS cluster."
  type        = string
}

variable "service_connect_namespace_arn" {
  description = "ARN of the account's Cloud Map HTTP namespace for ECS Service Connect (account.yaml ecs.serviceConnectNamespaceArn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:servicediscovery:[a-z0-9-]+:[0-9]{12}:namespace/ns-[a-z0-9]+$", var.service_connect_namespace_arn))
    error_message = "service_connect_namespace_arn must be a Cloud Map namespace ARN (arn:<partition>:servicediscovery:<region>:<account>:namespace/ns-...)."
  }
}

variable "internal_hostname" {
  description = "Internal DNS name of the service (<service>-internal.<env>.<zone>): its Service Connect client alias (port 80), which resolves inside the tasks of the namespace's services only. No Route 53 record: nothing outside Service Connect has a path to the service. Required for kind = \"service\"; null for a worker, which has no alias."
  type        = string
  default     = null

  validation {
    condition     = var.internal_hostname == null || length(coalesce(var.internal_hostname, "-")) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.internal_hostname))
    error_message = "internal_hostname must be a lower-case DNS name of at most 253 characters without trailing dot."
  }
}

variable "external" {
  description = "Public exposure or null: the external listener, load balancer (dns_name, zone_id, security_group_id), the public domain, its public zone, the rule priority on the external listener and the rule's optional conditions besides the host: paths (path patterns, any matches) and headers (name -> values, any value matches); at most 5 values and 5 wildcards per rule with the host (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html)."
  type = object({
    listener_arn           = string
    dns_name               = string
    zone_id                = string
    security_group_id      = string
    domain                 = string
    public_zone_id         = string
    listener_rule_priority = number
    paths                  = optional(list(string), [])
    headers                = optional(map(list(string)), {})
  })
  default = null

  validation {
    condition     = var.external == null || try(can(regex("^sg-[0-9a-f]{8,17}$", var.external.security_group_id)) && can(regex("^Z[A-Z0-9]{1,31}$", var.external.zone_id)) && can(regex("^Z[A-Z0-9]{1,31}$", var.external.public_zone_id)), false)
    error_message = "external.security_group_id must be sg-..., external.zone_id and external.public_zone_id Route 53 zone ids (Z...)."
  }

  validation {
    condition     = var.external == null || try(length(var.external.domain) <= 253 && can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.external.domain)), false)
    error_message = "external.domain must be a lower-case public DNS name without trailing dot."
  }

  validation {
    condition     = var.external == null || try(var.external.listener_rule_priority >= 1 && var.external.listener_rule_priority <= 50000 && floor(var.external.listener_rule_priority) == var.external.listener_rule_priority, false)
    error_message = "external.listener_rule_priority must be a whole number between 1 and 50000."
  }

  validation {
    condition     = var.external == null || try(1 + length(var.external.paths) + length(flatten(values(var.external.headers))) <= 5 && alltrue([for name, _ in var.external.headers : lower(name) != "host"]), false)
    error_message = "external: the host, paths and header values are at most 5 match evaluations per rule, and Host is matched by domain, not as a header."
  }
}

# --- Dependencies ---

variable "client_security_group_ids" {
  description = "The -clients security groups of the service's dependencies (datastores and services); the tasks join them."
  type        = list(string)
  default     = []
}

variable "dependency_access" {
  description = "IAM statements of the task role for the declared datastore dependencies ({ sid, actions, resources }), built by infragen from the datastore kinds' grants."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default  = []
  nullable = false
}

variable "log_retention_days" {
  description = "Retention of the service's log group in days (at least 365)."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 365
    error_message = "log_retention_days must be at least 365."
  }
}

variable "container_definitions" {
  description = "Container definitions of the task definition as a JSON string, computed by infragen (generator/deploy/taskdef.py, the same code as `infragen compile`), or null for the module's own bootstrap container."
  type        = string
  default     = null

  validation {
    condition     = var.container_definitions == null || can(length(jsondecode(var.container_definitions)) > 0)
    error_message = "container_definitions must be null or a non-empty JSON array."
  }
}

variable "enable_execute_command" {
  description = "Enable ECS Exec for the service's owners (output execute_command_policy_arn to attach to their role)."
  type        = bool
  default     = false
}

variable "https_egress_cidr_blocks" {
  description = "CIDR blocks the tasks may reach on 443 for the AWS APIs Fargate needs (account.yaml network.httpsEgress.cidrs). Default: the private ranges, where the VPC's interface endpoints are."
  type        = list(string)
  default     = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
  nullable    = false
}

variable "https_egress_prefix_list_ids" {
  description = "Managed prefix lists the tasks may reach on 443 (account.yaml network.httpsEgress.prefixListIds), e.g. the S3 gateway endpoint's."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "container_insights" {
  description = "The account's ECS cluster has Container Insights (account.yaml ecs.containerInsights). Only then does the service get the missing_tasks alarm (desired minus running tasks, ECS/ContainerInsights); the module checks the cluster's setting when true."
  type        = bool
  default     = false
  nullable    = false
}

variable "max_security_groups" {
  description = "Security groups per network interface quota of the account (AWS default 5; account.yaml quotas.securityGroupsPerNetworkInterface); the tasks' groups may not exceed it."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = var.max_security_groups >= 1 && var.max_security_groups <= 16 && floor(var.max_security_groups) == var.max_security_groups
    error_message = "max_security_groups must be a whole number between 1 and 16 (AWS's most per network interface)."
  }
}
