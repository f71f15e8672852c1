export { NativeBackend, NATIVE_BACKEND, nativeInfo, nativeKernelNames, registerNativeBackend } from './native_backend';
export { addon, addonLoadError } from './addon';
export { fallbackCounts } from './kernel_utils';
