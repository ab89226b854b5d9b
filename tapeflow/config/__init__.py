"""tf.config: device listing and switches TF code calls; tapeflow runs on the CPU."""


class PhysicalDevice:
    def __init__(self, name, device_type):
        self.name = name
        self.device_type = device_type

    def __repr__(self):
        return f"PhysicalDevice(name='{self.name}', device_type='{self.device_type}')"

    def __eq__(self, other):
        return isinstance(other, PhysicalDevice) and (self.name, self.device_type) == (
            other.name, other.device_type)

    def __hash__(self):
        return hash((self.name, self.device_type))


class LogicalDevice(PhysicalDevice):
    def __repr__(self):
        return f"LogicalDevice(name='{self.name}', device_type='{self.device_type}')"


_CPU = PhysicalDevice("/physical_device:CPU:0", "CPU")
_run_eagerly = False


def list_physical_devices(device_type=None):
    return [_CPU] if device_type in (None, "CPU") else []


def list_logical_devices(device_type=None):
    if device_type in (None, "CPU"):
        return [LogicalDevice("/device:CPU:0", "CPU")]
    return []


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None):
    return None


def run_functions_eagerly(run_eagerly):
    global _run_eagerly
    _run_eagerly = bool(run_eagerly)


def functions_run_eagerly():
    return _run_eagerly


class experimental:  # noqa: N801 - TF's namespace name
    @staticmethod
    def set_memory_growth(device, enable):
        return None

    @staticmethod
    def get_memory_growth(device):
        return False

    @staticmethod
    def enable_op_determinism():
        return None

    list_physical_devices = staticmethod(list_physical_devices)


class threading:  # noqa: N801
    @staticmethod
    def set_intra_op_parallelism_threads(n):
        return None

    @staticmethod
    def set_inter_op_parallelism_threads(n):
        return None

    @staticmethod
    def get_intra_op_parallelism_threads():
        return 0

    @staticmethod
    def get_inter_op_parallelism_threads():
        return 0
