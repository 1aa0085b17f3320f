variable "name" {
  description = "Service name. Used as the container name, the task definition family, the ECS service name and the prefix of every other resource."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must match ^[a-z][a-z0-9-]{1,30}[a-z0-9]$: 3 to 32 characters, lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster the service runs in."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]+$", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN: arn:<partition>:ecs:<region>:<12-digit account>:cluster/<name>."
  }
}

variable "image" {
  description = "Full image URI of the bootstrap task definition, in the service's own ECR repository: <account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>. Deploys register new task definitions outside Terraform."
  type        = string

  validation {
    condition     = length(trimspace(var.image)) > 0 && !can(regex("\\s", var.image))
    error_message = "image must be a non-empty image reference without whitespace."
  }
}

variable "cpu" {
  description = "Fargate task CPU units (256, 512, 1024, 2048, 4096, 8192 or 16384). Must form a valid Fargate pair with memory_mb."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192, 16384."
  }
}

variable "memory_mb" {
  description = "Fargate task memory in MiB. Must form a valid Fargate pair with cpu (checked by a precondition on the task definition)."
  type        = number

  validation {
    condition     = var.memory_mb >= 512 && var.memory_mb <= 122880 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MiB between 512 and 122880."
  }
}

variable "port" {
  description = "Container port that serves HTTP (the task definition's port named http): Service Connect and the external target group use it."
  type        = number
  default     = 8080

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number between 1 and 65535."
  }
}

variable "previous_port" {
  description = "Only while the HTTP port changes: the container port the running task definition still serves. The service's load balancer configuration keeps it (ECS refuses a load balancer port the running task definition does not map) until `infragen deploy` sends the new task definition and the new port in one UpdateService; the target group is not replaced (ECS registers each task with its container port). null otherwise."
  type        = number
  default     = null

  validation {
    condition     = var.previous_port == null || try(var.previous_port >= 1 && var.previous_port <= 65535 && floor(var.previous_port) == var.previous_port && var.previous_port != var.port, false)
    error_message = "previous_port must be null or a whole number between 1 and 65535 other than port."
  }
}

variable "metrics_port" {
  description = "Container port that serves OpenMetrics. It is mapped in the task definition; no load balancer or security-group rule exposes it."
  type        = number
  default     = 9090

  validation {
    condition     = var.metrics_port >= 1 && var.metrics_port <= 65535 && floor(var.metrics_port) == var.metrics_port
    error_message = "metrics_port must be a whole number between 1 and 65535."
  }
}

variable "serve_http" {
  description = "Whether the container serves HTTP on port: true for a service (the port named http, the Service Connect alias service_connect.dns_name, optionally external_listener); false for a worker, which maps only metrics_port, registers no alias and has no target group (it stays a Service Connect client)."
  type        = bool
  default     = true
  nullable    = false
}

variable "health_check_command" {
  description = "Container health check command of the built-in container definitions (ECS healthCheck.command, e.g. [\"CMD-SHELL\", \"test -f /tmp/healthy\"]; interval 30 s, timeout 5 s, 3 retries, start period 60 s); empty for none (a service's health is its HTTP check of health_check_path)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = length(var.health_check_command) == 0 || (contains(["CMD", "CMD-SHELL"], try(var.health_check_command[0], "")) && length(var.health_check_command) >= 2 && alltrue([for c in var.health_check_command : length(c) > 0]))
    error_message = "health_check_command must be empty or [\"CMD\", <program>, <args>...] / [\"CMD-SHELL\", <command>] with non-empty strings."
  }
}

variable "health_check_path" {
  description = "HTTP path the target group health check requests."
  type        = string
  default     = "/health"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._~/?=&%-]*$", var.health_check_path)) && length(var.health_check_path) <= 1024
    error_message = "health_check_path must start with / and contain only URL path characters (at most 1024)."
  }
}

variable "health_check" {
  description = "Target group health check settings (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html): interval_seconds 5-300 (default 15), timeout_seconds 2-120 and less than the interval (default 5), healthy_threshold and unhealthy_threshold 2-10 (defaults 2 and 3), matcher HTTP codes 200-499 as \"200\", \"200,202\" or \"200-299\" (default \"200-299\"). Unset attributes and null take the defaults."
  type = object({
    interval_seconds    = optional(number, 15)
    timeout_seconds     = optional(number, 5)
    healthy_threshold   = optional(number, 2)
    unhealthy_threshold = optional(number, 3)
    matcher             = optional(string, "200-299")
  })
  default  = {}
  nullable = false

  validation {
    condition = (
      var.health_check.interval_seconds >= 5 && var.health_check.interval_seconds <= 300 && floor(var.health_check.interval_seconds) == var.health_check.interval_seconds &&
      var.health_check.timeout_seconds >= 2 && var.health_check.timeout_seconds <= 120 && floor(var.health_check.timeout_seconds) == var.health_check.timeout_seconds &&
      var.health_check.timeout_seconds < var.health_check.interval_seconds
    )
    error_message = "health_check.interval_seconds must be a whole number 5-300 and health_check.timeout_seconds a whole number 2-120, less than the interval."
  }

  validation {
    condition = alltrue([
      for n in [var.health_check.healthy_threshold, var.health_check.unhealthy_threshold] : n >= 2 && n <= 10 && floor(n) == n
    ])
    error_message = "health_check.healthy_threshold and health_check.unhealthy_threshold must be whole numbers 2-10."
  }

  validation {
    condition = can(regex("^[0-9]{3}(-[0-9]{3}|(,[0-9]{3})*)$", var.health_check.matcher)) && alltrue([
      for code in split(",", replace(var.health_check.matcher, "-", ",")) : tonumber(code) >= 200 && tonumber(code) <= 499
    ]) && (length(split("-", var.health_check.matcher)) == 1 || try(tonumber(split("-", var.health_check.matcher)[0]) < tonumber(split("-", var.health_check.matcher)[1]), false))
    error_message = "health_check.matcher must be HTTP codes 200-499: one (\"200\"), a list (\"200,202\") or a rising range (\"200-299\")."
  }
}

variable "desired_count" {
  description = "Number of tasks. With autoscaling, the initial count, which must lie between autoscaling.min and autoscaling.max."
  type        = number

  validation {
    condition     = var.desired_count >= 0 && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number >= 0."
  }
}

variable "autoscaling" {
  description = "Target-tracking autoscaling, or null for a fixed desired_count. resource is \"cpu\" or \"memory\" (target: the average utilisation in percent, 1-100) or, for a worker (serve_http = false), \"queue\" (target: visible messages of the SQS queue queue_name per running task, at least 1; the cluster needs Container Insights for RunningTaskCount); min and max the task count bounds (1 <= min <= max)."
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
    condition     = var.autoscaling == null || try(var.autoscaling.queue_name == null || can(regex("^[A-Za-z0-9_-]{1,75}(\\.fifo)?$", var.autoscaling.queue_name)), false)
    error_message = "autoscaling.queue_name must be an SQS queue name (letters, digits, - and _, at most 80 characters with .fifo)."
  }

  validation {
    condition     = var.autoscaling == null || try(var.autoscaling.min >= 1 && var.autoscaling.min <= var.autoscaling.max && floor(var.autoscaling.min) == var.autoscaling.min && floor(var.autoscaling.max) == var.autoscaling.max, false)
    error_message = "autoscaling.min and autoscaling.max must be whole numbers with 1 <= min <= max."
  }
}

variable "environment_variables" {
  description = "Plain environment variables of the container (name -> value). Never put secrets here; use secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "environment_variables names must match ^[A-Za-z_][A-Za-z0-9_]*$."
  }
}

variable "secrets" {
  description = "Secret environment variables of the container (name -> valueFrom). Each valueFrom is a Secrets Manager secret ARN (optionally with a :json-key:version-stage:version-id suffix) or an SSM parameter ARN, and must be covered by secret_arns or ssm_parameter_arns."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "secrets names must match ^[A-Za-z_][A-Za-z0-9_]*$."
  }

  validation {
    condition     = alltrue([for v in values(var.secrets) : can(regex("^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:|ssm:[a-z0-9-]+:[0-9]{12}:parameter/)", v))])
    error_message = "secrets values (valueFrom) must be Secrets Manager secret ARNs or SSM parameter ARNs."
  }
}

variable "secret_arns" {
  description = "Secrets Manager secret ARNs the execution role may read (secretsmanager:GetSecretValue), exactly these."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", a))])
    error_message = "secret_arns must be Secrets Manager secret ARNs (arn:<partition>:secretsmanager:<region>:<account>:secret:<name>), without wildcards."
  }
}

variable "ssm_parameter_arns" {
  description = "SSM parameter ARNs the execution role may read (ssm:GetParameters), exactly these."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.ssm_parameter_arns : can(regex("^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[A-Za-z0-9/_.-]+$", a))])
    error_message = "ssm_parameter_arns must be SSM parameter ARNs (arn:<partition>:ssm:<region>:<account>:parameter/<name>), without wildcards."
  }
}

variable "secret_kms_key_arns" {
  description = "Customer managed KMS keys that encrypt the secrets and SecureString parameters (spec secrets' kmsKey). The execution role gets kms:Decrypt on exactly these, only via Secrets Manager and SSM (kms:ViaService). Empty for AWS managed keys."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.secret_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-)?[0-9a-f-]+$", k))])
    error_message = "secret_kms_key_arns must be KMS key ARNs (arn:<partition>:kms:<region>:<account>:key/<id>), without wildcards or aliases."
  }
}

variable "dependency_access" {
  description = "IAM statements of the task role for the declared datastore dependencies, built by infragen from each datastore kind's grant (generator/datastores): one object per statement id with its actions and exact resources."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for s in var.dependency_access : can(regex("^[A-Za-z0-9]+$", s.sid))]) && length(distinct([for s in var.dependency_access : s.sid])) == length(var.dependency_access)
    error_message = "dependency_access sids must be unique and alphanumeric."
  }

  validation {
    condition     = alltrue([for s in var.dependency_access : length(s.actions) > 0 && alltrue([for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z]+$", a))])])
    error_message = "dependency_access actions must be named exactly (service:Action), without wildcards."
  }

  validation {
    condition     = alltrue([for s in var.dependency_access : length(s.resources) > 0 && alltrue([for r in s.resources : can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:[^*]+(/\\*|/index/\\*)?$", r))])])
    error_message = "dependency_access resources must be ARNs without wildcards, except a trailing /* (objects) or /index/* (table indexes)."
  }
}

variable "vpc_id" {
  description = "VPC of the external target group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id (vpc-xxxxxxxx)."
  }
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in. Tasks never get a public IP."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must be a non-empty list of subnet ids (subnet-xxxxxxxx)."
  }
}

variable "security_group_ids" {
  description = "Security groups the tasks join (their own group and the -clients groups of their dependencies). More than 5 needs a raised 'security groups per network interface' quota."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) > 0 && length(var.security_group_ids) <= 16
    error_message = "security_group_ids must hold between 1 and 16 security groups (the hard limit per network interface; the default quota is 5)."
  }
}

variable "service_connect" {
  description = "ECS Service Connect: the Cloud Map HTTP namespace ARN of the account, and the client alias (dns_name, port) at which clients in the namespace reach the service (the task definition's port named http). The namespace's tasks, as clients, reach each other only where security groups admit them."
  type = object({
    namespace_arn = string
    dns_name      = optional(string)
    port          = optional(number, 80)
  })
  nullable = false

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:servicediscovery:[a-z0-9-]+:[0-9]{12}:namespace/ns-[a-z0-9]+$", var.service_connect.namespace_arn))
    error_message = "service_connect.namespace_arn must be a Cloud Map namespace ARN (arn:<partition>:servicediscovery:<region>:<account>:namespace/ns-...)."
  }

  validation {
    condition     = var.service_connect.dns_name == null || try(can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.service_connect.dns_name)) && length(var.service_connect.dns_name) <= 253, false)
    error_message = "service_connect.dns_name must be a lower-case DNS name of at most 253 characters, without a trailing dot (null only with serve_http = false)."
  }

  validation {
    condition     = var.service_connect.port >= 1 && var.service_connect.port <= 65535 && floor(var.service_connect.port) == var.service_connect.port
    error_message = "service_connect.port must be a whole number between 1 and 65535."
  }
}

variable "external_listener" {
  description = "Optional rule on the external listener: listener ARN, host name (public domain), rule priority (1-50000) and, besides the host, optional path_patterns (any matches) and http_headers (name -> values, any value matches). ALB allows at most 3 values per condition and 5 match evaluations and 5 wildcards per rule (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html). null for a service without external ingress (reached only through Service Connect)."
  type = object({
    listener_arn  = string
    host_header   = string
    priority      = number
    path_patterns = optional(list(string), [])
    http_headers  = optional(map(list(string)), {})
  })
  default = null

  validation {
    condition     = var.external_listener == null || try(can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener/app/.+$", var.external_listener.listener_arn)), false)
    error_message = "external_listener.listener_arn must be an Application Load Balancer listener ARN."
  }

  validation {
    condition     = var.external_listener == null || try(can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.external_listener.host_header)) && length(var.external_listener.host_header) <= 253, false)
    error_message = "external_listener.host_header must be a lower-case DNS name of at most 253 characters, without a trailing dot."
  }

  validation {
    condition     = var.external_listener == null || try(var.external_listener.priority >= 1 && var.external_listener.priority <= 50000 && floor(var.external_listener.priority) == var.external_listener.priority, false)
    error_message = "external_listener.priority must be a whole number between 1 and 50000."
  }

  validation {
    condition = var.external_listener == null || try(
      length(var.external_listener.path_patterns) <= 3 &&
      alltrue([for p in var.external_listener.path_patterns : can(regex("^[A-Za-z0-9_.$/~\"'@:+&*?-]{1,128}$", p))]) &&
      alltrue([for name, values in var.external_listener.http_headers : can(regex("^[!#$%&'+.^_`|~0-9A-Za-z-]{1,40}$", name)) && lower(name) != "host" && length(values) >= 1 && length(values) <= 3 && alltrue([for v in values : can(regex("^[ -~]{1,128}$", v))])]) &&
      1 + length(var.external_listener.path_patterns) + length(flatten(values(var.external_listener.http_headers))) <= 5 &&
      length(regexall("[*?]", join("", concat(var.external_listener.path_patterns, flatten(values(var.external_listener.http_headers)))))) <= 5,
      false
    )
    error_message = "external_listener: at most 3 path_patterns of 1-128 characters A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ?; http_headers names of 1-40 token characters, not Host, with 1-3 values of 1-128 visible ASCII characters; with the host at most 5 values and 5 wildcards (* ?) per rule."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds ECS ignores failing load balancer health checks after a task starts (0-2147483647). Applies only with external_listener: ECS refuses a grace period on a service without a load balancer."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "health_check_grace_period_seconds must be between 0 and 2147483647."
  }
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log group in days; at least 365 and one of the values CloudWatch Logs accepts."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be at least 365 and one of the CloudWatch Logs values 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "Optional KMS key ARN that encrypts the log group; null uses CloudWatch Logs' own encryption at rest."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be null or a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)."
  }
}

variable "retain_logs_on_destroy" {
  description = "Keep the log group (remove it from state only) when the module is destroyed; set it in production."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource that takes tags."
  type        = map(string)
  default     = {}
}

variable "enable_https_egress" {
  description = "Add one egress rule to https_egress_security_group_id (the tasks' own group): HTTPS (443) to https_egress_cidr_blocks and https_egress_prefix_list_ids, which Fargate tasks need to pull from ECR (layers come from S3), write logs and read secrets."
  type        = bool
  default     = false
}

variable "https_egress_cidr_blocks" {
  description = "CIDR blocks the tasks may reach on 443 (AWS API endpoints). Default: the private ranges (RFC 1918), where the VPC's interface endpoints are. A VPC that reaches AWS through NAT needs [\"0.0.0.0/0\"]."
  type        = list(string)
  default     = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
  nullable    = false

  validation {
    condition     = alltrue([for c in var.https_egress_cidr_blocks : can(cidrhost(c, 0)) && can(regex("^[0-9.]+/[0-9]+$", c))])
    error_message = "https_egress_cidr_blocks must be IPv4 CIDR blocks (a.b.c.d/n)."
  }
}

variable "https_egress_prefix_list_ids" {
  description = "Managed prefix lists the tasks may reach on 443, e.g. the S3 gateway endpoint's (pl-...), through which image layers come."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.https_egress_prefix_list_ids : can(regex("^pl-[0-9a-f]{8,17}$", p))])
    error_message = "https_egress_prefix_list_ids must be prefix list ids (pl-...)."
  }
}

variable "https_egress_security_group_id" {
  description = "Security group that gets the HTTPS egress rule when enable_https_egress is true (the tasks' own group)."
  type        = string
  default     = null

  validation {
    condition     = var.https_egress_security_group_id == null || can(regex("^sg-[0-9a-f]{8,17}$", var.https_egress_security_group_id))
    error_message = "https_egress_security_group_id must be null or a security group id (sg-xxxxxxxx)."
  }
}

variable "container_definitions_json" {
  description = "Container definitions of the bootstrap task definition as a JSON string, or null to build them from the other variables."
  type        = string
  default     = null
}

variable "ecr_force_delete" {
  description = "Delete the ECR repository with its images when the module is destroyed. Leave false in production."
  type        = bool
  default     = false
}

variable "ecr_kms_key_arn" {
  description = "KMS key ARN that encrypts the ECR repository, or null for the AWS-managed ECR key (still KMS)."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.ecr_kms_key_arn))
    error_message = "ecr_kms_key_arn must be null or a KMS key ARN."
  }
}

variable "ecr_keep_images" {
  description = "How many most recent images the ECR lifecycle policy keeps (1-1000)."
  type        = number
  default     = 100

  validation {
    condition     = var.ecr_keep_images >= 1 && var.ecr_keep_images <= 1000 && floor(var.ecr_keep_images) == var.ecr_keep_images
    error_message = "ecr_keep_images must be a whole number between 1 and 1000."
  }
}

variable "enable_execute_command" {
  description = "Enable ECS Exec: the tasks run the exec agent, the task role gets the ssmmessages channels, and the module outputs a policy for the owners that allows ecs:ExecuteCommand on this service's tasks only."
  type        = bool
  default     = false
}

variable "max_security_groups" {
  description = "Security groups per network interface in this account (the VPC quota; AWS's default is 5). security_group_ids may not exceed it."
  type        = number
  default     = 5

  validation {
    condition     = var.max_security_groups >= 1 && var.max_security_groups <= 16
    error_message = "max_security_groups must be between 1 and 16 (AWS's hard limit)."
  }
}

variable "deployment_alarm_names" {
  description = "CloudWatch alarms ECS watches during a deployment; one in ALARM rolls the deployment back. Empty: only the circuit breaker."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.deployment_alarm_names : length(n) >= 1 && length(n) <= 255])
    error_message = "deployment_alarm_names must be CloudWatch alarm names of 1-255 characters."
  }
}

variable "schedule" {
  description = "A scheduled job instead of a service, or null: no ECS service; EventBridge Scheduler runs one task of the family per expression (cron(...) or rate(...)) in timezone (IANA), retrying a failed RunTask call retries times (0-185). Requires serve_http = false and no autoscaling or external_listener."
  type = object({
    expression = string
    timezone   = string
    retries    = number
  })
  default = null

  validation {
    condition     = var.schedule == null || can(regex("^(cron\\([^()]+\\)|rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\))$", var.schedule.expression))
    error_message = "schedule.expression must be cron(<6 fields>) or rate(<n> minutes|hours|days)."
  }

  validation {
    condition     = var.schedule == null || try(var.schedule.retries >= 0 && var.schedule.retries <= 185 && floor(var.schedule.retries) == var.schedule.retries, false)
    error_message = "schedule.retries must be a whole number from 0 to 185 (EventBridge Scheduler's MaximumRetryAttempts)."
  }

  validation {
    condition     = var.schedule == null || can(regex("^[A-Za-z][A-Za-z0-9_+/-]*$", var.schedule.timezone))
    error_message = "schedule.timezone must be an IANA time zone name such as UTC or Europe/Berlin."
  }
}
