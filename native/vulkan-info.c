/* vulkan-info: the Vulkan devices this machine's loader and drivers offer, as one JSON object on stdout.
 *
 * `vfmc doctor` runs it to name the adapter onnxruntime's WebGPU provider will get (Dawn uses Vulkan on Linux) and
 * its limits, which onnxruntime-node does not expose. It loads libvulkan.so.1 at run time (dlopen), so it runs, and
 * says why not, on machines without Vulkan; build: cc -O2 -o vulkan-info vulkan-info.c -ldl (Vulkan headers from
 * Debian's libvulkan-dev). Besides names and limits it reports the device features Dawn's Vulkan backend refuses a
 * device without ("Vulkan … feature required", the checks in the Dawn that onnxruntime 1.30 links): Mesa's
 * llvmpipe, for one, lacks shaderUniform*ArrayDynamicIndexing. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <vulkan/vulkan.h>

#define B(x) ((x) ? "true" : "false")

static void json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
    else putchar(*s);
  }
  putchar('"');
}

static const char *type_name(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

static int fail(const char *why, int code) {
  printf("{\"ok\":false,\"error\":");
  json_string(why);
  printf(",\"code\":%d}\n", code);
  return 0;
}

int main(void) {
  void *lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return fail(dlerror(), 0);
  PFN_vkGetInstanceProcAddr gipa = (PFN_vkGetInstanceProcAddr)dlsym(lib, "vkGetInstanceProcAddr");
  if (!gipa) return fail("libvulkan.so.1 has no vkGetInstanceProcAddr", 0);
  PFN_vkCreateInstance createInstance = (PFN_vkCreateInstance)gipa(NULL, "vkCreateInstance");
  VkApplicationInfo app = {VK_STRUCTURE_TYPE_APPLICATION_INFO, NULL, "vfmc doctor", 1, NULL, 0, VK_API_VERSION_1_1};
  VkInstanceCreateInfo info = {VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, NULL, 0, &app, 0, NULL, 0, NULL};
  VkInstance instance;
  VkResult r = createInstance(&info, NULL, &instance);
  if (r != VK_SUCCESS) return fail("vkCreateInstance failed (no usable Vulkan driver: check the ICD files)", r);
  PFN_vkEnumeratePhysicalDevices enumerate = (PFN_vkEnumeratePhysicalDevices)gipa(instance, "vkEnumeratePhysicalDevices");
  PFN_vkGetPhysicalDeviceProperties properties = (PFN_vkGetPhysicalDeviceProperties)gipa(instance, "vkGetPhysicalDeviceProperties");
  PFN_vkGetPhysicalDeviceFeatures features = (PFN_vkGetPhysicalDeviceFeatures)gipa(instance, "vkGetPhysicalDeviceFeatures");
  PFN_vkGetPhysicalDeviceMemoryProperties memory = (PFN_vkGetPhysicalDeviceMemoryProperties)gipa(instance, "vkGetPhysicalDeviceMemoryProperties");
  PFN_vkDestroyInstance destroy = (PFN_vkDestroyInstance)gipa(instance, "vkDestroyInstance");
  uint32_t n = 0;
  r = enumerate(instance, &n, NULL);
  if (r != VK_SUCCESS) return fail("vkEnumeratePhysicalDevices failed", r);
  VkPhysicalDevice devices[16];
  if (n > 16) n = 16;
  enumerate(instance, &n, devices);
  printf("{\"ok\":true,\"devices\":[");
  for (uint32_t i = 0; i < n; i++) {
    VkPhysicalDeviceProperties p;
    VkPhysicalDeviceFeatures f;
    VkPhysicalDeviceMemoryProperties m;
    properties(devices[i], &p);
    features(devices[i], &f);
    memory(devices[i], &m);
    VkDeviceSize local = 0;
    for (uint32_t h = 0; h < m.memoryHeapCount; h++)
      if (m.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) local += m.memoryHeaps[h].size;
    const VkPhysicalDeviceLimits *l = &p.limits;
    printf("%s{\"name\":", i ? "," : "");
    json_string(p.deviceName);
    printf(",\"type\":\"%s\",\"vendorId\":%u,\"deviceId\":%u,\"apiVersion\":\"%u.%u.%u\",\"driverVersion\":%u,",
           type_name(p.deviceType), p.vendorID, p.deviceID, VK_API_VERSION_MAJOR(p.apiVersion),
           VK_API_VERSION_MINOR(p.apiVersion), VK_API_VERSION_PATCH(p.apiVersion), p.driverVersion);
    printf("\"deviceLocalMemory\":%llu,", (unsigned long long)local);
    printf("\"limits\":{\"maxStorageBufferRange\":%u,\"maxUniformBufferRange\":%u,"
           "\"maxComputeSharedMemorySize\":%u,\"maxComputeWorkGroupInvocations\":%u,"
           "\"maxComputeWorkGroupCount\":[%u,%u,%u],\"maxComputeWorkGroupSize\":[%u,%u,%u],"
           "\"maxBoundDescriptorSets\":%u,\"maxPerStageDescriptorStorageBuffers\":%u},",
           l->maxStorageBufferRange, l->maxUniformBufferRange, l->maxComputeSharedMemorySize,
           l->maxComputeWorkGroupInvocations, l->maxComputeWorkGroupCount[0], l->maxComputeWorkGroupCount[1],
           l->maxComputeWorkGroupCount[2], l->maxComputeWorkGroupSize[0], l->maxComputeWorkGroupSize[1],
           l->maxComputeWorkGroupSize[2], l->maxBoundDescriptorSets, l->maxPerStageDescriptorStorageBuffers);
    int compression = f.textureCompressionBC || (f.textureCompressionETC2 && f.textureCompressionASTC_LDR);
    printf("\"dawnRequired\":{\"robustBufferAccess\":%s,\"imageCubeArray\":%s,\"independentBlend\":%s,"
           "\"textureCompression\":%s,\"shaderUniformBufferArrayDynamicIndexing\":%s,"
           "\"shaderSampledImageArrayDynamicIndexing\":%s,\"shaderStorageBufferArrayDynamicIndexing\":%s,"
           "\"shaderStorageImageArrayDynamicIndexing\":%s,\"depthBiasClamp\":%s,\"fragmentStoresAndAtomics\":%s,"
           "\"fullDrawIndexUint32\":%s,\"sampleRateShading\":%s}}",
           B(f.robustBufferAccess), B(f.imageCubeArray), B(f.independentBlend), B(compression),
           B(f.shaderUniformBufferArrayDynamicIndexing), B(f.shaderSampledImageArrayDynamicIndexing),
           B(f.shaderStorageBufferArrayDynamicIndexing), B(f.shaderStorageImageArrayDynamicIndexing),
           B(f.depthBiasClamp), B(f.fragmentStoresAndAtomics), B(f.fullDrawIndexUint32), B(f.sampleRateShading));
  }
  printf("]}\n");
  destroy(instance, NULL);
  return 0;
}
